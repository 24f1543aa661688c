import { expect } from 'chai';
import { findTransition, isState, PATH, stageIndex, STATES, transitionsFrom } from '../src/features/transfers/workflow.js';

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
