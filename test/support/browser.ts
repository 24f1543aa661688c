/**
 * Browser tests: Debian's Chromium driven by playwright-core, against the test app listening on a
 * free loopback port. Screenshots go to test-results/screenshots/ (git-ignored).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../src/shared/paths.js';
import { testApp } from './app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
/**
 * Browser tests need Debian's Chromium: without it they fail with a message saying how to get it
 * (scripts/test.sh installs it with apt), rather than being skipped into a green run.
 */
export function needChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the suite with npm test (scripts/test.sh installs it) or apt-get install chromium`);
}

let server: Server | undefined;
let baseUrl = '';
let browser: Browser | undefined;

export async function startServer(): Promise<string> {
  if (server) return baseUrl;
  const app = await testApp();
  const listening = app.listen(0, '127.0.0.1');
  server = listening;
  await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
  const addr = listening.address();
  baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return baseUrl;
}

export async function launchBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return browser;
}

/**
 * For a describe block of browser tests: before them, checks Chromium is there and starts the app
 * on a free port (`suite.base` is its URL); after them, closes the browser and the server.
 */
export function browserSuite(): { base: string } {
  const suite = { base: '' };
  before(async () => {
    needChromium();
    suite.base = await startServer();
  });
  after(() => closeBrowser());
  return suite;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function newPage(viewport = DESKTOP): Promise<Page> {
  const b = await launchBrowser();
  const context = await b.newContext({ viewport, locale: 'tr-TR' });
  return context.newPage();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** Runs axe-core (WCAG 2.x A/AA rules) in the page and returns the violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's strict CSP forbids injected <script> tags.
  await page.evaluate(axeSource);
  // A string, not a function: the test code is compiled without DOM types.
  const violations: unknown = await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`);
  if (!Array.isArray(violations)) throw new Error('axe-core did not answer');
  return violations as AxeViolation[];
}

/** Signs in through the login form in the browser. */
export async function browserSignIn(page: Page, email: string, password: string, base = baseUrl): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/login"] button[type="submit"]')]);
}
