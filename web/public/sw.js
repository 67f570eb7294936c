// The app shell offline: pages from the network first (falling back to the kept index.html), hashed
// assets from the cache first (their names change with their content). API calls are never touched
// here: the app keeps its own copies of answers with their ETags.
const SHELL = 'rmwb-shell-v1'

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(['/', '/manifest.webmanifest', '/icon.svg'])).then(() => self.skipWaiting()))
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
