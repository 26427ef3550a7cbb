import Foundation
import Protocol
import Testing
@testable import CLI

@Suite("output")
struct OutputTests {
    @Test("the devices table shows latest metrics in human units and '-' for what is absent")
    func devicesTable() {
        let text = DeviceTable(devices: Fixtures.devices, now: Fixtures.now).render()
        #expect(text == """
            NAME     STATUS   ARCH     OS             CPU  MEM        DISK       TEMP  UPTIME  LAST SEEN
            pi-4     online   aarch64  debian 12      12%  1.2G/3.8G  6.3G/29G   49°C  3d4h    5s ago
            nas      offline  x86_64   TrueNAS SCALE  -    12G/16G    3.0T/7.0T  -     45s     2h ago
            pi-zero  pending  -        -              -    -          -          -     -       -

            """)
    }

    @Test("an empty device list prints only the header")
    func emptyTable() {
        #expect(DeviceTable(devices: [], now: Fixtures.now).render() == "NAME  STATUS  ARCH  OS  CPU  MEM  DISK  TEMP  UPTIME  LAST SEEN\n")
    }

    @Test("bytes are shown in binary units, one decimal below 10", arguments: [
        (0, "0B"), (1023, "1023B"), (1024, "1.0K"), (1536, "1.5K"), (10 * 1024, "10K"),
        (1_288_490_189, "1.2G"), (4_080_218_931, "3.8G"), (UInt64(1023.7 * 1024 * 1024), "1.0G"), (5 << 40, "5.0T"),
    ] as [(UInt64, String)])
    func bytes(value: UInt64, text: String) {
        #expect(Units.bytes(value) == text)
    }

    @Test("durations and relative times use their largest units")
    func durations() {
        #expect(Units.duration(seconds: 45) == "45s")
        #expect(Units.duration(seconds: 12 * 60 + 5) == "12m")
        #expect(Units.duration(seconds: 5 * 3600 + 12 * 60) == "5h12m")
        #expect(Units.duration(seconds: 3 * 86_400 + 4 * 3600 + 59) == "3d4h")
        #expect(Units.duration(seconds: 2 * 86_400) == "2d")
        #expect(Units.ago(Fixtures.now.addingTimeInterval(-5), now: Fixtures.now) == "5s ago")
        #expect(Units.ago(Fixtures.now.addingTimeInterval(-200), now: Fixtures.now) == "3m ago")
        #expect(Units.ago(Fixtures.now.addingTimeInterval(23 * 3600), now: Fixtures.now) == "in 23h")
    }

    @Test("status words are colored on a terminal, plain when NO_COLOR is set or output is piped")
    func color() {
        #expect(Style.colorEnabled(environment: [:], outputIsTerminal: true))
        #expect(!Style.colorEnabled(environment: ["NO_COLOR": "1"], outputIsTerminal: true))
        #expect(Style.colorEnabled(environment: ["NO_COLOR": ""], outputIsTerminal: true))
        #expect(!Style.colorEnabled(environment: [:], outputIsTerminal: false))
        #expect(Style(colorEnabled: true).status(.online) == "\u{1B}[32monline\u{1B}[0m")
        #expect(Style(colorEnabled: false).status(.online) == "online")
    }

    @Test("colored cells keep the columns aligned")
    func coloredTable() {
        let plain = DeviceTable(devices: Fixtures.devices, now: Fixtures.now).render()
        let colored = DeviceTable(devices: Fixtures.devices, now: Fixtures.now, style: Style(colorEnabled: true)).render()
        #expect(colored != plain)
        let stripped = colored.replacingOccurrences(of: "\u{1B}[32m", with: "").replacingOccurrences(of: "\u{1B}[31m", with: "")
            .replacingOccurrences(of: "\u{1B}[33m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "")
        #expect(stripped == plain)
    }

    @Test("the context colors only when NO_COLOR is unset and stdout is a terminal")
    func contextColor() {
        #expect(CommandContext(environment: [:], configDirectory: "/x", console: TestConsole(outputIsTerminal: true)).usesColor)
        #expect(!CommandContext(environment: ["NO_COLOR": "yes"], configDirectory: "/x", console: TestConsole(outputIsTerminal: true)).usesColor)
        #expect(!CommandContext(environment: [:], configDirectory: "/x", console: TestConsole(outputIsTerminal: false)).usesColor)
    }

    @Test("devices show prints identity, labels, facts, metrics, filesystems, network, sensors and Docker")
    func deviceDetail() {
        let text = DeviceDetail(device: Fixtures.pi, now: Fixtures.now).render()
        #expect(text == """
            Device pi-4
              ID:        d-6f1c
              Status:    online
              Address:   192.168.1.20
              Key:       SHA256:q1w2e3r4t5y6u7i8o9p0
              Joined:    2025-02-26T12:00:00Z (3d ago)
              Last seen: 5s ago (2025-03-01T11:59:55Z)

            Labels
              room=living
              tier=edge

            Facts
              Hostname:      pi-4
              Architecture:  aarch64
              Kernel:        6.6.31+rpt-rpi-v8
              OS:            Debian GNU/Linux 12 (bookworm)
              CPU:           Cortex-A72
              Cores:         4
              Max frequency: 1800 MHz
              Memory:        3.8G
              Swap:          100M
              Board:         Raspberry Pi 4 Model B Rev 1.4
              Booted:        2025-02-26T07:58:00Z (3d ago)
              Agent:         0.1.0

            Metrics (sampled 5s ago)
              CPU:    12% (per core: 10% 15% 9% 15%)
              Load:   0.52 0.48 0.4 (1, 5, 15 min)
              Memory: 1.2G used of 3.8G (32%), 2.6G available
              Swap:   0B used of 100M (0%)
              Uptime: 3d4h

            Filesystems
              MOUNT           DEVICE          TYPE  USED  SIZE  USE%  AVAILABLE
              /boot/firmware  /dev/mmcblk0p1  vfat  64M   510M  13%   446M
              /               /dev/mmcblk0p2  ext4  6.3G  29G   22%   21G

            Network
              INTERFACE  RECEIVED  SENT
              eth0       12G       800M

            Temperatures
              SENSOR       TEMP
              cpu-thermal  48.7°C
              rp1_adc      41.0°C

            Docker
              Version:    28.2.2 (API 1.50)
              Containers: 3 running, 0 paused, 1 stopped
              Images:     5

            """)
    }

    @Test("devices show says what a pending device has not reported yet")
    func pendingDetail() {
        let text = DeviceDetail(device: Fixtures.newcomer, now: Fixtures.now).render()
        #expect(text.contains("Status:    pending"))
        #expect(text.contains("Last seen: -"))
        #expect(text.contains("Labels\n  (none)"))
        #expect(text.contains("Facts\n  (not reported yet)"))
        #expect(text.contains("Metrics\n  (not reported yet)"))
    }

    @Test("the tokens table shows state, use, expiry and labels")
    func tokensTable() {
        var revoked = Fixtures.token
        revoked.id = "tk-2"
        revoked.revoked = true
        revoked.reusable = false
        revoked.labels = [:]
        revoked.description = nil
        #expect(TokenTable(tokens: [Fixtures.token, revoked], now: Fixtures.now).render() == """
            ID    STATE    USE       USES  EXPIRES  LABELS      DESCRIPTION
            tk-1  active   reusable  2     in 23h   room=attic  attic Pis
            tk-2  revoked  single    2     in 23h   -           -

            """)
    }

    @Test("JSON output is the DTO, pretty-printed with sorted keys and ISO 8601 dates")
    func json() throws {
        let text = try JSONOutput.render(ListResponse(items: [Fixtures.newcomer]))
        #expect(text == """
            {
              "items" : [
                {
                  "createdAt" : "2025-03-01T11:59:00Z",
                  "id" : "d-0003",
                  "keyFingerprint" : "SHA256:zerozero",
                  "labels" : {

                  },
                  "name" : "pi-zero",
                  "status" : "pending"
                }
              ]
            }

            """)
        let decoded = try WireCoding.decoder.decode(ListResponse<DeviceResource>.self, from: Data(text.utf8))
        #expect(decoded.items == [Fixtures.newcomer])
    }
}
