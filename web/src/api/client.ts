/** The typed API client, generated from the gateway's merged OpenAPI (schema.d.ts, `npm run gen`). */
import createClient from 'openapi-fetch'
import type { paths, components } from './schema'
import { apiFetch } from './http'

export type Schemas = components['schemas']
export const api = createClient<paths>({ baseUrl: location.origin, fetch: apiFetch })
