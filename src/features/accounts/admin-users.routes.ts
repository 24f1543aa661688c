import { Router } from 'express';
import { defineRoutes, needs } from '../../shared/http/routes.js';
import { adminUsers as c } from './admin-users.controller.js';

/** Users administration (admins only). */
export function adminUsersRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);
  const admin = needs('users:admin');
  r.get('/admin/users', admin, c.list);
  r.get('/admin/users/new', admin, c.newForm); // before /admin/users/:id
  r.post('/admin/users', admin, c.create);
  r.get('/admin/users/:id', admin, c.show);
  r.post('/admin/users/:id', admin, c.save);
  r.post('/admin/users/:id/password', admin, c.temporaryPassword);
  r.post('/admin/users/:id/disable', admin, c.setActive(false));
  r.post('/admin/users/:id/enable', admin, c.setActive(true));
  return router;
}
