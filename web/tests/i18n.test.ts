import { afterEach, describe, expect, it } from 'vitest'
import { setLang, t, word } from '../src/i18n'

describe('texts and codes', () => {
  afterEach(() => setLang('zh-CN'))

  it('shows codes as Chinese words by default and English ones on the switch', () => {
    expect(word('special_mention')).toBe('关注')
    expect(t('signIn')).toBe('登录')
    setLang('en')
    expect(word('special_mention')).toBe('Special mention')
    expect(t('signIn')).toBe('Sign in')
    expect(localStorage.getItem('lang')).toBe('en')
  })

  it('shows a code it does not know as the code, never an empty cell', () => {
    expect(word('new_tier_from_next_year')).toBe('new_tier_from_next_year')
    expect(word(null)).toBe('-')
  })
})
