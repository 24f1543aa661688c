import type { Role } from '../features/accounts/roles.js';

declare global {
  namespace Express {
    /** What passport puts on req.user: reloaded from the database on every request. */
    interface User {
      id: string;
      email: string;
      name: string;
      role: Role;
      municipalityId: string | undefined;
      language: 'tr' | 'en';
      mustChangePassword: boolean;
      /** The sign-in before this one (undefined on a first sign-in): "since your last visit". */
      previousSignInAt: Date | undefined;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    createdAt: number;
    flash: { type: 'success' | 'error' | 'info'; key: string; params?: Record<string, string | number> }[];
  }
}

export {};
