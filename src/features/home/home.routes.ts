import { Router } from 'express';
import { defineRoutes, PUBLIC } from '../../shared/http/routes.js';
import { featuredModels, keyFigures } from './home.service.js';
import { ACTIVE_STATES } from '../transfers/workflow.js';
import { officeDay } from '../transfers/office-day.js';
import { sinceLastVisit } from '../transfers/since-last-visit.js';

export function homeRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);
  r.get('/', PUBLIC, async (req, res) => {
    const lang = req.language === 'en' ? 'en' : 'tr';
    const [figures, featured, myDay, since] = await Promise.all([keyFigures(), featuredModels(), officeDay(req.user, lang), sinceLastVisit(req.user, lang)]);
    res.render('home/index', { title: req.t('home:title'), figures, featured, stages: ACTIVE_STATES, myDay, since });
  });
  return router;
}
