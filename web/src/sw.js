// The app shell offline: pages from the network first (falling back to the kept index.html), hashed
// assets from the cache first (their names change with their content). Every file of the build is
// fetched at install (the build writes their list into ASSETS), so a screen never opened online still
// opens offline. API calls are never touched here: the app keeps its own copies of answers with their ETags.
const ASSETS = self.__BUILD_ASSETS__
const SHELL = `rmwb-shell-${self.__BUILD_ID__}`

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(['/', ...ASSETS])).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()))
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith('/api/')) return
  if (event.request.mode === 'navigate') {
    event.respondWith(fetch(event.request)
      .then((response) => { const copy = response.clone(); caches.open(SHELL).then((c) => c.put('/', copy)); return response })
      .catch(() => caches.match('/')))
    return
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request).then((response) => {
      const copy = response.clone()
      caches.open(SHELL).then((c) => c.put(event.request, copy))
      return response
    })))
  }
})
