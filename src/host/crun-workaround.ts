// How ctvm invokes crun where the shipped default fails. Empty = run crun as shipped.
// (The container-engine work decides this; doctor and the oci:crun environment both read it.)
export const CRUN_GLOBAL_ARGS: string[] = [];
