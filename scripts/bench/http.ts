/** Plain fetch helpers: sign-in through the form, CSRF token of a page, one timed request. */
export const PROXY_HEADERS = { 'x-forwarded-proto': 'https' } as const;

function cookiesOf(res: Response, jar = new Map<string, string>()): Map<string, string> {
  for (const c of res.headers.getSetCookie()) {
    const [pair = ''] = c.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return jar;
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
export const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Signs in through the login form; answers the session's Cookie header. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login`, { headers: PROXY_HEADERS });
  const jar = cookiesOf(page);
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ email, password, _csrf: csrfIn(await page.text()) }).toString(),
  });
  if (res.status !== 303) throw new Error(`bench sign-in failed: ${res.status}`);
  return cookieHeader(cookiesOf(res, jar));
}

/** One GET, body read to the end; answers status and milliseconds. */
export async function timedGet(url: string, cookie: string | undefined): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { ...PROXY_HEADERS, ...(cookie ? { cookie } : {}) }, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - started, text };
}
