import Controller
import Foundation
import Testing

@Suite("Device reliability")
struct DeviceReliabilityTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }

    @Test("availability is the share of the window online, from the recorded changes")
    func availability() {
        // Online at 1 h, offline from 5 h to 7 h, judged at 11 h: 8 of 11 hours (offline before the first change).
        let changes = [(at(1), true), (at(5), false), (at(7), true)].map { (time: $0.0, online: $0.1) }
        #expect(DeviceReliability.availability(changes: changes, since: start, now: at(11)) == 8.0 / 11.0)
        // A first change to offline means it was online before it.
        let dropped = [(time: at(9), online: false)]
        #expect(DeviceReliability.availability(changes: dropped, since: start, now: at(10)) == 0.9)
        #expect(DeviceReliability.availability(changes: [], since: start, now: at(10)) == nil)
    }

    @Test("reboots are the times the reported uptime went down")
    func reboots() {
        #expect(DeviceReliability.reboots(uptimes: [10, 20, 30, 5, 15, 2, 12]) == 2)
        #expect(DeviceReliability.reboots(uptimes: []) == 0)
    }
}
