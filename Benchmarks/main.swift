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
