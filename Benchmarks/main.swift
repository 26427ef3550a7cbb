import Foundation

// `make bench`: every figure is printed beside a baseline measured in the same run, never asserted.
let environment = ProcessInfo.processInfo.environment
let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let roundTrips = Int(environment["BENCH_ROUND_TRIPS"] ?? "") ?? 20_000
let bulkBytes = (Int(environment["BENCH_BULK_MB"] ?? "") ?? 512) << 20
let agentSeconds = Double(environment["BENCH_AGENT_SECONDS"] ?? "") ?? 300
/// `BENCH_ONLY=protocol|agent|discovery|scheduler|history` runs one section.
let only = environment["BENCH_ONLY"]
func runs(_ section: String) -> Bool { only == nil || only == section }

func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
func fmt(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

if runs("protocol") {
    print("== protocol: one connection on loopback (\(roundTrips) sequential pings, \(bulkBytes >> 20) MiB of kind-2 stream data)")
    let plain = try await ProtocolBench.run(tls: false, roundTrips: roundTrips, bulkBytes: bulkBytes)
    let tls = try await ProtocolBench.run(tls: true, roundTrips: roundTrips, bulkBytes: bulkBytes)
    print(pad("", 28) + pad("plain TCP (baseline)", 22) + pad("mutual TLS 1.3", 18) + "TLS / baseline")
    print(pad("round trips per second", 28) + pad(fmt(plain.roundTripsPerSecond, 0), 22) + pad(fmt(tls.roundTripsPerSecond, 0), 18)
          + fmt(tls.roundTripsPerSecond / plain.roundTripsPerSecond, 2))
    print(pad("bulk stream MiB/s", 28) + pad(fmt(plain.bulkMegabytesPerSecond), 22) + pad(fmt(tls.bulkMegabytesPerSecond), 18)
          + fmt(tls.bulkMegabytesPerSecond / plain.bulkMegabytesPerSecond, 2))
}

if runs("agent") {
    print("\n== agent at rest: release binaries, enrolled, sampling every 10 s, measured for \(Int(agentSeconds)) s (BENCH_AGENT_SECONDS)")
    let busy = try AgentBench.run(binaries: binaries, seconds: min(agentSeconds, 30), sampleInterval: "1s")
    let idle = try AgentBench.run(binaries: binaries, seconds: agentSeconds, sampleInterval: "10s")
    print(pad("", 28) + pad("1 s sampling (reference)", 26) + pad("10 s sampling", 16) + "budget")
    print(pad("peak RSS (MB)", 28) + pad(fmt(busy.rssMegabytes), 26) + pad(fmt(idle.rssMegabytes), 16) + "20")
    print(pad("CPU (% of one core)", 28) + pad(fmt(busy.cpuPercentOfOneCore, 3), 26) + pad(fmt(idle.cpuPercentOfOneCore, 3), 16) + "0.5")
}

if runs("discovery") {
    print("\n== discovery: the controller's discovered list in memory (this process's RSS)")
    let memory = await DiscoveryBench.memory()
    print(pad("", 44) + "RSS (MB)   entries")
    print(pad("baseline (one announcer)", 44) + pad(fmt(memory.baselineMegabytes), 11) + "1")
    print(pad("1,000 distinct announcers, 10 rounds", 44) + pad(fmt(memory.announcersMegabytes), 11) + "\(memory.entries)")
    print(pad("then 100,000 from 1,000 ids on one address", 44) + pad(fmt(memory.floodMegabytes), 11) + "+\(memory.floodEntries)")
}

if runs("scheduler") {
    SchedulerBench.run()
}

if runs("history") {
    try await HistoryBench.run()
}
if runs("backup") {
    let megabytes = Int(environment["BENCH_BACKUP_MB"] ?? "") ?? 1024
    if getuid() != 0 || !FileManager.default.isExecutableFile(atPath: "/usr/bin/restic") || !FileManager.default.fileExists(atPath: "/var/run/docker.sock") {
        print("\n== backups: skipped (needs root, restic and dockerd)")
    } else {
        print("\n== backups: a \(megabytes) MiB volume (1 MiB random files) backed up through the target agent's REST server over mutual TLS, beside plain restic on the same folder into a local repository")
        let f = try await BackupBench.run(binaries: binaries, megabytes: megabytes)
        let mib = Double(f.bytes) / 1_048_576
        print(pad("", 40) + pad("plain restic, local (baseline)", 32) + pad("homelab (stop mode)", 22) + "ours / baseline")
        print(pad("first backup (s)", 40) + pad(fmt(f.firstPlain), 32) + pad(fmt(f.firstOurs), 22) + fmt(f.firstOurs / f.firstPlain, 2))
        print(pad("second backup, 1 % of files changed (s)", 40) + pad(fmt(f.secondPlain), 32) + pad(fmt(f.secondOurs), 22) + fmt(f.secondOurs / f.secondPlain, 2))
        print(pad("bytes stored by the second (MiB)", 40) + pad(fmt(Double(f.secondPlainAdded) / 1_048_576), 32)
              + pad(fmt(Double(f.secondUploaded) / 1_048_576), 22) + "(ours: uploaded over the link)")
        print(pad("restore (MiB/s)", 40) + pad(fmt(mib / f.restorePlain), 32) + pad(fmt(mib / f.restoreOurs), 22)
              + fmt((mib / f.restoreOurs) / (mib / f.restorePlain), 2) + " (ours: into a fresh volume, then verified)")
        print(pad("app downtime, first / second (s)", 40) + pad("-", 32) + fmt(f.firstDowntime) + " / " + fmt(f.secondDowntime))
        print(pad("first backup uploaded (MiB)", 40) + pad("-", 32) + fmt(Double(f.firstUploaded) / 1_048_576))
    }
}
