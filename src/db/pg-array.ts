/**
 * A PostgreSQL array literal (`{"a","b",NULL}`) for one bound parameter: MikroORM's `execute`
 * expands a JS array into a list of parameters, so set-based statements (`= any(?::uuid[])`,
 * `unnest(?::text[], …)`) pass their arrays as literals. Every element is quoted and escaped.
 */
export function pgArray(xs: ReadonlyArray<string | number | null>): string {
  return `{${xs.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}
