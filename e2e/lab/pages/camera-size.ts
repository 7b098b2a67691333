/** The camera size the load run's tabs ask for (shared by the page and the Node report). */
export const LOW_RES = { width: 160, height: 120, frameRate: 10 };
