// The parts of autocannon's API the benchmarks use (it ships no types; @types/autocannon is not installed).
declare module 'autocannon' {
  interface Histogram { p50: number; p99: number; p99_9: number; average: number; max: number }
  interface Result { latency: Histogram; requests: Histogram; errors: number; non2xx: number }
  interface Options {
    url: string; connections?: number; overallRate?: number; duration?: number;
    headers?: Record<string, string>;
    requests?: Array<{ setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }>;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
