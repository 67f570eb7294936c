/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

// Vant components are imported on demand (the resolver adds each used component and its CSS), so the
// first load carries only what the screens use.
// Vant's icon font names a CDN copy after its inline one: the page may load fonts only from its own
// origin (CSP), so the CDN fallback is dropped and the inline font is the one.
const vantIconsInline = {
  name: 'vant-icons-inline',
  transform(code: string, id: string) {
    if (id.includes('vant/es/icon/index.css')) return code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("woff"\)/, '')
  },
}

// The service worker (src/sw.js) is emitted as /sw.js with the list of every file of this build to precache.
const serviceWorker = {
  name: 'service-worker',
  apply: 'build' as const,
  generateBundle(_options: unknown, bundle: Record<string, unknown>) {
    const files = Object.keys(bundle).filter((name) => name !== 'index.html').map((name) => `/${name}`)
    const assets = [...files, '/manifest.webmanifest', '/icon.svg', '/icon-192.png']
    const id = createHash('sha256').update(files.join()).digest('hex').slice(0, 12)
    const source = readFileSync('src/sw.js', 'utf8')
      .replace('self.__BUILD_ASSETS__', JSON.stringify(assets)).replace('self.__BUILD_ID__', JSON.stringify(id))
    ;(this as unknown as { emitFile(f: object): void }).emitFile({ type: 'asset', fileName: 'sw.js', source })
  },
}

export default defineConfig({
  plugins: [vue(), Components({ resolvers: [VantResolver()], dts: false }), vantIconsInline, serviceWorker],
  build: { target: 'es2020', assetsDir: 'assets' },
  server: { proxy: { '/api': process.env.GATEWAY_URL || 'http://127.0.0.1:8000' } },
  test: { environment: 'jsdom', include: ['tests/**/*.test.ts'], setupFiles: ['tests/setup.ts'] },
})
