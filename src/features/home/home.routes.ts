import { Router } from 'express';
import { turkeyMap } from '../../reference/turkey-map.js';
import { defineRoutes, PUBLIC } from '../../shared/http/routes.js';
import { featuredModels, keyFigures, runningByProvince } from './home.service.js';
import { ACTIVE_STATES } from '../transfers/workflow.js';
import { officeDay } from '../transfers/office-day.js';
import { sinceLastVisit } from '../transfers/since-last-visit.js';

export function homeRouter(): Router {
  const router = Router();
  const r = defineRoutes(router);
  r.get('/', PUBLIC, async (req, res) => {
    const lang = req.language === 'en' ? 'en' : 'tr';
    const [figures, featured, myDay, since, running] = await Promise.all([keyFigures(), featuredModels(), officeDay(req.user, lang), sinceLastVisit(req.user, lang), runningByProvince()]);
    const map = turkeyMap(running, {
      href: (province, n) => (n > 0 ? `/models?province=${encodeURIComponent(province)}` : undefined),
      label: (province, n) => req.t('home:map.provinceLabel', { province, count: n }),
    });
    const mapRows = [...running].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'tr')).map(([province, n]) => ({ province, n, href: `/models?province=${encodeURIComponent(province)}` }));
    res.render('home/index', { title: req.t('home:title'), description: req.t('home:lead'), styles: ['/public/css/dashboard.css'], figures, featured, stages: ACTIVE_STATES, myDay, since, map, mapRows });
  });
  return router;
}
