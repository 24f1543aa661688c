import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './paths.js';
import { DEFAULT_ENGINE, ENGINE_NAMES, type EngineName } from './db/engines.js';

/**
 * The one place that reads the environment. Every variable is validated here; a bad value stops
 * start-up with one line naming the variable (see formatConfigError).
 */
/** A yes/no variable; undefined when unset (the caller picks the default). */
const bool = () =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));

const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (!/^\d+$/.test(v) || Number(v) > 65535) {
        ctx.addIssue({ code: 'custom', message: 'expected a whole number from 0 to 65535' });
        return z.NEVER;
      }
      return Number(v);
    });

const positiveInt = (fallback: number, what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (!/^\d+$/.test(v) || Number(v) < 1) {
        ctx.addIssue({ code: 'custom', message: `expected a positive whole number (${what})` });
        return z.NEVER;
      }
      return Number(v);
    });

const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: 'expected development, production or test' })
    .default('development'),
  PORT: port(3000),
  HOST: z.string().min(1, 'expected a host name or address').default('127.0.0.1'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// URI')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  UPLOAD_DIR: z.string().min(1).default('./uploads'),
  SESSION_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expected fatal, error, warn, info, debug, trace or silent',
    })
    .optional(),
  DEMO_DATA: bool(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx): boolean | number | string => {
      if (v === undefined || v === '' || v === 'false' || v === '0') return false;
      if (v === 'true') return true;
      if (/^\d+$/.test(v)) return Number(v);
      if (/^[\w.:/, -]+$/.test(v)) return v; // Express accepts subnet lists such as "loopback, 10.0.0.0/8"
      ctx.addIssue({ code: 'custom', message: 'expected true, false, a hop count or a list of addresses' });
      return z.NEVER;
    }),
  ADMIN_EMAIL: z.email('expected an e-mail address').optional(),
  ADMIN_PASSWORD: z.string().min(10, 'expected at least 10 characters').optional(),
  EMBEDDED_DB_PORT: port(0),
  EMBEDDED_ENGINE: z.enum(ENGINE_NAMES, { message: `expected ${ENGINE_NAMES.join(', ')}` }).default(DEFAULT_ENGINE),
  EMBEDDED_DB_MEMORY_MB: positiveInt(512, 'megabytes of heap for the Java engines'),
  SESSION_IDLE_MINUTES: positiveInt(120, 'minutes'),
  SESSION_MAX_HOURS: positiveInt(12, 'hours'),
  UPLOAD_MAX_MB: positiveInt(20, 'megabytes'),
  RATE_LIMIT_PER_MINUTE: positiveInt(600, 'requests per minute and address'),
  BENCH_CEILING_PAGE: bool(),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  mongodbUri: string | undefined;
  dataDir: string;
  uploadDir: string;
  sessionSecret: string | undefined;
  logLevel: string;
  demoData: boolean;
  trustProxy: boolean | number | string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  embeddedDbPort: number;
  /** Which embedded server runs when MONGODB_URI is not set. */
  embeddedEngine: EngineName;
  embeddedDbMemoryMb: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  uploadMaxBytes: number;
  /** Requests per client address and minute before 429 (static files and health checks excepted). */
  requestsPerMinute: number;
  /** `npm run bench` only: serve GET /__bench/ceiling, a bare page through the whole stack that reads no data. */
  benchCeilingPage: boolean;
};

export class ConfigError extends Error {}

/** Parses an environment (process.env by default) into a typed config, or throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')) as Record<string, string>;
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      const value = raw[name];
      return `Invalid ${name}${value === undefined ? '' : ` (${JSON.stringify(value)})`}: ${i.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)');
  }
  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(ROOT, e.DATA_DIR),
    uploadDir: path.resolve(ROOT, e.UPLOAD_DIR),
    sessionSecret: e.SESSION_SECRET,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    // The demo office is for trying the app: a production database starts empty unless asked.
    demoData: e.DEMO_DATA ?? !isProduction,
    trustProxy: e.TRUST_PROXY,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    embeddedDbPort: e.EMBEDDED_DB_PORT,
    embeddedEngine: e.EMBEDDED_ENGINE,
    embeddedDbMemoryMb: e.EMBEDDED_DB_MEMORY_MB,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    uploadMaxBytes: e.UPLOAD_MAX_MB * 1024 * 1024,
    requestsPerMinute: e.RATE_LIMIT_PER_MINUTE,
    benchCeilingPage: e.BENCH_CEILING_PAGE ?? false,
  };
}
