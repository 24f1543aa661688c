import { Router } from 'express';
import { defineRoutes, PUBLIC } from '../../shared/http/routes.js';
import { featuredModels, keyFigures } from './home.service.js';
import { ACTIVE_STATES } from '../transfers/workflow.js';
import { officeDay } from '../transfers/office-day.js';

export function homeRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);
  r.get('/', PUBLIC, async (req, res) => {
    const [figures, featured, myDay] = await Promise.all([keyFigures(), featuredModels(), officeDay(req.user, req.language === 'en' ? 'en' : 'tr')]);
    res.render('home/index', { title: req.t('home:title'), figures, featured, stages: ACTIVE_STATES, myDay });
  });
  return router;
}
