/** A count with its noun, singular for exactly one: "1 dead delivery", "2 dead deliveries". */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
