// Whether this host can run an environment, and if not why: doctor decides it from the host's
// facts (host/doctor.ts environmentAvailability); engine/environment.ts re-exports it for probe().
export type Availability = { usable: true; detail?: string } | { usable: false; reason: string };
