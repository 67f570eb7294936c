import { createRouter, createWebHistory } from 'vue-router'
import { useSession } from './stores/session'

// Only home is in the first load; every other screen is a chunk of its own, fetched when opened.
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/home' },
    { path: '/sign-in', name: 'sign-in', component: () => import('./views/SignIn.vue'), meta: { open: true } },
    { path: '/home', name: 'home', component: () => import('./views/Home.vue') },
    { path: '/tasks/:id', name: 'task', component: () => import('./views/TaskView.vue') },
    { path: '/customers', name: 'customers', component: () => import('./views/Customers.vue') },
    { path: '/customers/:id', name: 'customer', component: () => import('./views/Customer.vue') },
    { path: '/scorecard/:username?', name: 'scorecard', component: () => import('./views/Scorecard.vue') },
    { path: '/team', name: 'team', component: () => import('./views/Team.vue') },
    { path: '/rankings', name: 'rankings', component: () => import('./views/Rankings.vue') },
    { path: '/day', name: 'day', component: () => import('./views/MyDay.vue') },
    { path: '/results', name: 'results', component: () => import('./views/Results.vue') },
    { path: '/summary', name: 'summary', component: () => import('./views/Summary.vue') },
    { path: '/team/summaries', name: 'team-summaries', component: () => import('./views/TeamSummaries.vue') },
    { path: '/complaints', name: 'complaints', component: () => import('./views/Complaints.vue') },
    { path: '/credit', name: 'credit', component: () => import('./views/Credit.vue') },
    { path: '/approvals', name: 'approvals', component: () => import('./views/Approvals.vue') },
    { path: '/:rest(.*)*', redirect: '/home' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.open && !useSession().signedIn) return { name: 'sign-in', query: { next: to.fullPath } }
})
