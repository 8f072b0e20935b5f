/** The only source of "now" (the domain never reads the clock itself). */
export interface Clock {
  now(): Date;
}
