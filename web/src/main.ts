import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { say } from './toast'
import App from './App.vue'
import { router } from './router'
import { installHooks } from './api/http'
import { useSession } from './stores/session'
import { watchOnline } from './stores/online'
import { lang, t } from './i18n'
import './app.css'

const app = createApp(App)
app.use(createPinia())
app.use(router)
const session = useSession()
installHooks({
  token: () => session.access,
  refresh: () => session.renew(),
  signedOut: () => {
    session.clear()
    if (router.currentRoute.value.name !== 'sign-in') router.push({ name: 'sign-in', query: { next: router.currentRoute.value.fullPath } })
  },
  lang: () => lang.value,
  notify: (message) => say(t(message)),
})
app.config.errorHandler = (err) => {
  // a screen that throws keeps what it shows; the person gets a sentence, not a blank page
  console.warn(err)
  say(t('serverError'))
}
document.documentElement.lang = lang.value
watchOnline()
app.mount('#app')

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/sw.js').catch(() => {})
}
