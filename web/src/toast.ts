/** Short messages to the person ("已保存", a server's reason): one line at a time, read out by screen
 * readers (App.vue shows it in a live region), gone after a few seconds. */
import { ref } from 'vue'

export const message = ref('')
let timer: ReturnType<typeof setTimeout> | undefined

export function say(text: string, ms = 2500): void {
  message.value = text
  clearTimeout(timer)
  timer = setTimeout(() => { message.value = '' }, ms)
}
