/// What a store changes about converting its compose file into our compose subset.
struct ComposeRules {
    /// The file notes name (`docker-compose.yml`).
    var file: String
    /// For a bind-mount source as written in the store's file, the path below the app's data folder (`""` for the
    /// folder itself), or nil when the source is not in it.
    var dataDirectory: (String) -> String? = { _ in nil }
    /// Labels the store sets for itself, dropped with `storeLabelWhy`.
    var isStoreLabel: (String) -> Bool = { _ in false }
    var storeLabelWhy = ""
    /// Networks of the store (shared, external) that services leave, with why.
    var storeNetworks: Set<String> = []
    var storeNetworkWhy = "a network of the store's own; the services stay on the stack's network"
    /// Keys of a service the importer reads itself (its `x-` extension), not noted by the converter.
    var consumedServiceKeys: Set<String> = []

    /// Why a service key outside our subset is dropped.
    static func whyDropped(serviceKey key: String) -> String {
        switch key {
        case "build":
            "a recipe runs published images only; there is nothing to build from"
        case "container_name":
            "containers are named per deployment, so two deployments of one recipe never clash"
        case "hostname", "domainname":
            "our compose subset has no host name setting; the container keeps Docker's"
        case "extra_hosts":
            "our compose subset has no extra /etc/hosts entries"
        case "shm_size":
            "our compose subset has no /dev/shm size; Docker's default (64 MB) applies"
        case "env_file":
            "env files are not part of a recipe; the values belong in environment"
        case "expose":
            "it only documents container ports; the services of one stack reach each other without it"
        case "secrets", "configs":
            "compose secrets and configs are not in our compose subset; values belong in environment"
        case "stop_grace_period", "stop_signal":
            "our compose subset has no stop settings; Docker's defaults apply"
        case "security_opt":
            "our compose subset has no security options (use cap_add, cap_drop or privileged)"
        case "cpu_shares", "cpu_quota", "cpu_period", "cpuset", "mem_reservation", "memswap_limit", "pids_limit":
            "our compose subset limits resources with mem_limit and cpus only"
        default:
            key.hasPrefix("x-")
                ? "an extension field nothing in a recipe reads"
                : "not in the compose subset a recipe carries (docs/recipes.md)"
        }
    }
}
