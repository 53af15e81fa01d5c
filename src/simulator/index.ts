/**
 * The case simulator: plays the demo city's citizens, grid workers and departments through
 * the closed loop on a manual clock (`onecity simulate`, the integrity tests). It drives the
 * cases capability through its face, like any other client of it.
 */
export { type SimulationOptions, type SimulationSummary, simulateCity } from './simulator.ts';
