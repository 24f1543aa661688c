import { Router } from 'express';
import { defineRoutes, PUBLIC } from '../../shared/http/routes.js';
import { featuredModels, keyFigures } from './home.service.js';
import { ACTIVE_STATES } from '../transfers/workflow.js';

export function homeRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);
  r.get('/', PUBLIC, async (req, res) => {
    const [figures, featured] = await Promise.all([keyFigures(), featuredModels()]);
    res.render('home/index', { title: req.t('home:title'), figures, featured, stages: ACTIVE_STATES });
  });
  return router;
}
