/** The capacity model: what a fleet configuration places and carries, and what it should be for a load. */
export * from "./instances.js";
export * from "./model.js";
export * from "./profiles.js";
export * from "./recommend.js";
