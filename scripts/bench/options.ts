import { parseArgs } from 'node:util';

/** The two data sets of issue 12: one office's full scale, and a national registry's. */
export const SCALES = {
  office: { municipalities: 1400, models: 300, transfers: 5000, visits: 10_000 },
  national: { municipalities: 1400, models: 300, transfers: 100_000, visits: 30_000 },
} as const;
export type ScaleName = keyof typeof SCALES;

export type BenchOptions = {
  scale: ScaleName;
  sizes: { municipalities: number; models: number; transfers: number; visits: number };
  seconds: number;
  connections: number[];
  afterWrites: number;
  only: RegExp | undefined;
  build: boolean;
  batch: number;
  queries: boolean;
  /** own: the app starts its embedded server on the generated files (as in production); shared: the app uses the bench's server through MONGODB_URI. */
  db: 'own' | 'shared';
};

export const USAGE = `npm run bench [-- options]
  --scale office|national   data set (default office: 1,400 municipalities, 300 models, 5,000 transfers,
                            10,000 visits; national: 100,000 transfers, 30,000 visits)
  --municipalities N --models N --transfers N --visits N   override one size of the scale
  --seconds N               autocannon duration per page and connection count (default 4)
  --connections 1,20        concurrent connections to measure (default 1,20)
  --after-writes N          "first request after a write" samples per page, median shown (default 3)
  --only REGEX              measure only the rows whose label matches (e.g. --only 'transfer|board')
  --batch N                 documents per insertMany while generating (default 250)
  --db own|shared           own (office default): the app starts its own embedded server on the generated
                            files, as in production; shared (national default): the app uses the bench's
                            server (MONGODB_URI to it), since opening a national-scale H2 file takes minutes
  --queries                 also list what each page asks the database (commands, time, collections)
  --no-build                skip \`npm run build\` (dist/ must be current)
  MONGODB_URI=...           use that MongoDB (a throwaway database, dropped afterwards) instead of the
                            embedded engine; EMBEDDED_ENGINE=h2|memory|ferretdb picks the embedded one`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name}: expected a positive whole number, got ${JSON.stringify(raw)}\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

export function readOptions(argv = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: 'office' },
      municipalities: { type: 'string' },
      models: { type: 'string' },
      transfers: { type: 'string' },
      visits: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string', default: '1,20' },
      'after-writes': { type: 'string' },
      only: { type: 'string' },
      batch: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      queries: { type: 'boolean', default: false },
      db: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.scale !== 'office' && values.scale !== 'national') {
    console.error(`--scale: expected office or national, got ${JSON.stringify(values.scale)}\n\n${USAGE}`);
    process.exit(2);
  }
  const scale: ScaleName = values.scale;
  if (values.db !== undefined && values.db !== 'own' && values.db !== 'shared') {
    console.error(`--db: expected own or shared, got ${JSON.stringify(values.db)}\n\n${USAGE}`);
    process.exit(2);
  }
  const base = SCALES[scale];
  return {
    scale,
    sizes: {
      municipalities: positive('municipalities', values.municipalities, base.municipalities),
      models: positive('models', values.models, base.models),
      transfers: positive('transfers', values.transfers, base.transfers),
      visits: positive('visits', values.visits, base.visits),
    },
    seconds: positive('seconds', values.seconds, 4),
    connections: values.connections.split(',').map((c) => positive('connections', c.trim(), 1)),
    afterWrites: positive('after-writes', values['after-writes'], 3),
    only: values.only ? new RegExp(values.only, 'i') : undefined,
    build: !values['no-build'],
    batch: positive('batch', values.batch, 250),
    queries: values.queries,
    db: values.db === 'own' || values.db === 'shared' ? values.db : scale === 'national' ? 'shared' : 'own',
  };
}
