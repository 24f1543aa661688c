import { expect } from 'chai';
import { allowedTransitions, checkTransition, daysInStage, findTransition, isStale, isState, PATH, requiredFields, stageIndex, staleBefore, STATES, transitionsFrom, type ActiveState, type Transition } from '../src/features/transfers/workflow.js';

describe('adoption workflow (pure rules)', () => {
  it('walks forward interest → assessment → agreement → implementation → operational', () => {
    expect(PATH).to.deep.equal(['interest', 'assessment', 'agreement', 'implementation', 'operational']);
    for (let i = 0; i < PATH.length - 1; i++) {
      const t = findTransition(PATH[i]!, PATH[i + 1]!);
      expect(t?.kind).to.equal('advance');
      expect(t?.requiresReason).to.equal(false);
    }
  });

  it('requires a launch date to become operational', () => {
    expect(findTransition('implementation', 'operational')?.requiresLaunchDate).to.equal(true);
    expect(findTransition('agreement', 'implementation')?.requiresLaunchDate).to.equal(false);
  });

  it('allows one step back, with a reason, and never a jump', () => {
    const back = findTransition('agreement', 'assessment');
    expect(back?.kind).to.equal('back');
    expect(back?.requiresReason).to.equal(true);
    expect(findTransition('agreement', 'interest')).to.equal(undefined);
    expect(findTransition('interest', 'agreement')).to.equal(undefined);
    expect(transitionsFrom('interest').some((t) => t.kind === 'back')).to.equal(false);
  });

  it('puts any active state on hold with a reason, and resumes to the state it left', () => {
    for (const s of PATH) {
      const hold = findTransition(s, 'on_hold');
      expect(hold?.requiresReason, s).to.equal(true);
    }
    expect(transitionsFrom('on_hold', 'agreement').find((t) => t.kind === 'resume')?.to).to.equal('agreement');
    expect(findTransition('on_hold', 'interest', 'agreement'), 'resume goes back to where it was').to.equal(undefined);
  });

  it('cancels with a reason and reopens to interest only', () => {
    expect(findTransition('assessment', 'cancelled')?.requiresReason).to.equal(true);
    expect(findTransition('on_hold', 'cancelled', 'assessment')?.requiresReason).to.equal(true);
    expect(transitionsFrom('cancelled').map((t) => [t.kind, t.to])).to.deep.equal([['reopen', 'interest']]);
  });

  it('lets only office staff and admins move a transfer', () => {
    for (const s of STATES) {
      for (const t of transitionsFrom(s, 'assessment')) expect([...t.roles].sort()).to.deep.equal(['admin', 'office']);
    }
  });

  it('knows its states and their order', () => {
    expect(isState('operational')).to.equal(true);
    expect(isState('done')).to.equal(false);
    expect(stageIndex('agreement')).to.equal(2);
    expect(stageIndex('on_hold')).to.equal(-1);
  });
});

describe('adoption workflow: what each role may do now (every state × transition × role)', () => {
  const ROLES_ALL = ['municipality', 'office', 'manager', 'admin'] as const;
  const HELD: ActiveState[] = ['interest', 'assessment', 'agreement', 'implementation', 'operational'];
  /** The expected table, written out independently of the module: state → [kind, to, requires][] for office/admin. */
  const EXPECTED: Record<string, [string, string, string[]][]> = {
    interest: [['advance', 'assessment', []], ['hold', 'on_hold', ['reason']], ['cancel', 'cancelled', ['reason']]],
    assessment: [['advance', 'agreement', []], ['back', 'interest', ['reason']], ['hold', 'on_hold', ['reason']], ['cancel', 'cancelled', ['reason']]],
    agreement: [['advance', 'implementation', []], ['back', 'assessment', ['reason']], ['hold', 'on_hold', ['reason']], ['cancel', 'cancelled', ['reason']]],
    implementation: [['advance', 'operational', ['launchDate']], ['back', 'agreement', ['reason']], ['hold', 'on_hold', ['reason']], ['cancel', 'cancelled', ['reason']]],
    operational: [['back', 'implementation', ['reason']], ['hold', 'on_hold', ['reason']], ['cancel', 'cancelled', ['reason']]],
    cancelled: [['reopen', 'interest', []]],
  };
  const shape = (list: Transition[]) => list.map((t) => [t.kind, t.to, requiredFields(t)]);

  for (const role of ROLES_ALL) {
    for (const state of STATES) {
      const helds = state === 'on_hold' ? HELD : [undefined];
      for (const held of helds) {
        it(`${role} in ${state}${held ? ` (held from ${held})` : ''}`, () => {
          const staff = role === 'office' || role === 'admin';
          const expected = state === 'on_hold' ? [['resume', held, []], ['cancel', 'cancelled', ['reason']]] : EXPECTED[state];
          expect(shape(allowedTransitions(role, state, held))).to.deep.equal(staff ? expected : []);
          // Every target state, allowed or not, through the one decision function.
          for (const to of STATES) {
            const offered = allowedTransitions(role, state, held).find((t) => t.to === to);
            const full = checkTransition({ role, from: state, heldFrom: held, to, reason: 'Gerekçe', launchDate: new Date('2026-05-01') });
            if (offered) expect(full, `${state}→${to}`).to.deep.include({ ok: true });
            else expect(full.ok, `${state}→${to}`).to.equal(false);
            if (!staff) expect(full, `${role} ${state}→${to}`).to.deep.equal({ ok: false, refusal: { code: 'role' } });
            if (offered) {
              const bare = checkTransition({ role, from: state, heldFrom: held, to, reason: '  ', launchDate: undefined });
              const need = requiredFields(offered);
              if (need.length === 0) expect(bare.ok).to.equal(true);
              else expect(bare).to.deep.equal({ ok: false, refusal: { code: need[0], field: need[0] } });
            }
          }
        });
      }
    }
  }

  it('refuses an unknown target, a missing role and a bad launch date', () => {
    expect(checkTransition({ role: 'office', from: 'interest', to: 'done' })).to.deep.equal({ ok: false, refusal: { code: 'state' } });
    expect(checkTransition({ role: undefined, from: 'interest', to: 'assessment' })).to.deep.equal({ ok: false, refusal: { code: 'role' } });
    expect(checkTransition({ role: 'office', from: 'implementation', to: 'operational', launchDate: new Date('x') })).to.deep.equal({ ok: false, refusal: { code: 'launchDate', field: 'launchDate' } });
    expect(checkTransition({ role: 'office', from: 'on_hold', to: 'interest' }).ok, 'resume without a held-from state').to.equal(false);
  });

  it('counts days in stage and staleness from the stored dates', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(daysInStage(new Date('2026-05-01T12:00:00Z'), now)).to.equal(31);
    expect(daysInStage(new Date('2026-06-01T08:00:00Z'), now)).to.equal(0);
    expect(daysInStage(undefined, now)).to.equal(undefined);
    expect(isStale('assessment', new Date('2026-04-02T12:00:00Z'), now), '60 days').to.equal(true);
    expect(isStale('assessment', new Date('2026-04-03T12:00:00Z'), now), '59 days').to.equal(false);
    expect(isStale('operational', new Date('2020-01-01'), now), 'a running service is never stale').to.equal(false);
    expect(isStale('on_hold', new Date('2020-01-01'), now)).to.equal(false);
    expect(staleBefore(now).toISOString()).to.equal('2026-04-02T12:00:00.000Z');
  });
});
