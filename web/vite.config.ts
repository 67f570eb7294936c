/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'

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

export default defineConfig({
  plugins: [vue(), Components({ resolvers: [VantResolver()], dts: false }), vantIconsInline],
  build: { target: 'es2020', assetsDir: 'assets' },
  server: { proxy: { '/api': process.env.GATEWAY_URL || 'http://127.0.0.1:8000' } },
  test: { environment: 'jsdom', include: ['tests/**/*.test.ts'], setupFiles: ['tests/setup.ts'] },
})
