import Protocol
import Testing
@testable import Agent

@Suite("Sampling parsers")
struct SamplingParserTests {
    /// A mount table with everything a Docker host with snaps, NFS, Samba and ZFS shows.
    static let mounts = #"""
        sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
        udev /dev devtmpfs rw,nosuid,relatime,size=8000000k 0 0
        tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=1600000k,mode=755 0 0
        /dev/sda2 / ext4 rw,relatime,errors=remount-ro 0 0
        cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0
        /dev/sda1 /boot/efi vfat rw,relatime,fmask=0077,dmask=0077 0 0
        /dev/loop0 /snap/core22/1380 squashfs ro,nodev,relatime,errors=continue 0 0
        overlay /var/lib/docker/overlay2/3f1c/merged overlay rw,relatime,lowerdir=/var/lib/docker/overlay2/l/A 0 0
        /dev/sdb1 /srv/bind/My\040Disk ext4 rw,relatime 0 0
        /dev/sdb1 /mnt/My\040Disk ext4 rw,relatime 0 0
        /dev/sda2 /var/lib/docker ext4 rw,relatime 0 0
        nas.lan:/export/media /mnt/media nfs4 rw,relatime,vers=4.2,addr=192.168.1.10 0 0
        //nas.lan/share /mnt/share cifs rw,relatime,vers=3.1.1 0 0
        tank/data /tank/data zfs rw,xattr,noacl 0 0
        user@host:/home /mnt/remote fuse.sshfs rw,nosuid,nodev,relatime 0 0
        tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0
        """#

    @Test("the mount filter keeps block devices and network filesystems and drops virtual ones")
    func mountFilter() {
        let kept = MountTable.realFilesystems(MountTable.parse(Self.mounts))

        #expect(kept == [
            MountEntry(device: "/dev/sda2", mountPoint: "/", type: "ext4"),
            MountEntry(device: "/dev/sda1", mountPoint: "/boot/efi", type: "vfat"),
            MountEntry(device: "/dev/sdb1", mountPoint: "/mnt/My Disk", type: "ext4"),
            MountEntry(device: "nas.lan:/export/media", mountPoint: "/mnt/media", type: "nfs4"),
            MountEntry(device: "//nas.lan/share", mountPoint: "/mnt/share", type: "cifs"),
            MountEntry(device: "tank/data", mountPoint: "/tank/data", type: "zfs"),
            MountEntry(device: "user@host:/home", mountPoint: "/mnt/remote", type: "fuse.sshfs"),
        ])
    }

    @Test("octal escapes in mount fields are decoded, incomplete ones left alone")
    func octalEscapes() {
        #expect(MountTable.decode(#"/mnt/My\040Disk"#) == "/mnt/My Disk")
        #expect(MountTable.decode(#"/a\011b\012c\134d"#) == "/a\tb\nc\\d")
        #expect(MountTable.decode(#"/mnt/caf\303\251"#) == "/mnt/café")
        #expect(MountTable.decode(#"/odd\04"#) == #"/odd\04"#)
        #expect(MountTable.decode(#"/odd\09x"#) == #"/odd\09x"#)
    }

    @Test("os-release values lose their quotes and escapes")
    func osReleaseQuotes() {
        let alpine = """
            NAME="Alpine Linux"
            ID='alpine'
            VERSION_ID=3.20.0
            PRETTY_NAME="Alpine \\"Linux\\" v3.20"
            HOME_URL="https://alpinelinux.org/"
            """
        #expect(OSRelease.parse(alpine) == OperatingSystem(id: "alpine", prettyName: #"Alpine "Linux" v3.20"#, versionID: "3.20.0"))
        #expect(OSRelease.parse("# nothing here\n\nNAME=x\n") == nil)
        #expect(OSRelease.parse("ID=arch\nPRETTY_NAME=\"Arch Linux\"\n") == OperatingSystem(id: "arch", prettyName: "Arch Linux", versionID: nil))
    }

    @Test("the CPU model falls back from model name to Model, Hardware and the ARM part")
    func cpuModelFallbacks() {
        let piZero = "processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi Zero W Rev 1.1\n"
        #expect(CPUInfoText(piZero).model == "ARMv6-compatible processor rev 7 (v6l)")
        #expect(CPUInfoText("processor\t: 0\nHardware\t: Amlogic\n").model == "Amlogic")
        #expect(CPUInfoText("processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd03\n").model == "ARM Cortex-A53")
        #expect(CPUInfoText("CPU implementer\t: 0x61\nCPU part\t: 0x022\n").model == "CPU part 0x022 (implementer 0x61)")
        #expect(CPUInfoText("processor\t: 0\nprocessor\t: 1\n").model == nil)
        #expect(CPUInfoText("processor\t: 0\nprocessor\t: 1\n").processorCount == 2)
    }

    @Test("kernel CPU lists count every listed core")
    func cpuLists() {
        #expect(CPUList.count("0-3\n") == 4)
        #expect(CPUList.count("0-3,6") == 5)
        #expect(CPUList.count("0") == 1)
        #expect(CPUList.count("0,2,4-5") == 4)
        #expect(CPUList.count("") == nil)
        #expect(CPUList.count("3-1") == nil)
        #expect(CPUList.count("all") == nil)
    }

    @Test("/proc/net/dev is read even when a counter touches the interface name")
    func networkCountersWithoutSpace() {
        let text = """
            Inter-|   Receive
             face |bytes    packets errs drop fifo frame compressed multicast|bytes
                lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0
              eth0:12345678901 2 0 0 0 0 0 0 98765 2 0 0 0 0 0 0
            docker0: 10 1 0 0 0 0 0 0 20 1 0 0 0 0 0 0
            """
        #expect(NetworkDevices.parse(text) == [
            NetworkCounters(interface: "eth0", rxBytes: 12_345_678_901, txBytes: 98765),
            NetworkCounters(interface: "docker0", rxBytes: 10, txBytes: 20),
        ])
    }

    @Test("a busy-percent interval with counters stepping backwards stays within 0...100")
    func backwardsCounters() {
        let earlier = CPUTimes(idle: 500, total: 1000)
        #expect(CPUTimes(idle: 490, total: 1100).busyPercent(since: earlier) == 100)
        #expect(CPUTimes(idle: 600, total: 900).busyPercent(since: earlier) == 0)
        #expect(CPUTimes(idle: 550, total: 1100).busyPercent(since: earlier) == 50)
    }

    @Test("directory entries sort by their number, so zone 2 comes before zone 10")
    func naturalOrder() {
        let names = ["thermal_zone10", "cooling_device0", "thermal_zone2", "temp10_input", "temp2_input", "thermal_zone1"]
        #expect(names.sorted(by: SystemFiles.naturalOrder) == [
            "cooling_device0", "temp2_input", "temp10_input", "thermal_zone1", "thermal_zone2", "thermal_zone10",
        ])
    }

    @Test("/proc and /sys files are read whole despite their zero size, and missing ones are nil")
    func readsKernelFiles() throws {
        let cpuinfo = try #require(SystemFiles.read("/proc/self/status"))
        #expect(cpuinfo.contains("Name:"))
        #expect(SystemFiles.read("/proc/does-not-exist") == nil)
        #expect(SystemFiles.read("/proc") == nil)
        #expect(SystemFiles.list("/proc/does-not-exist") == nil)
        #expect(SystemFiles.list("/proc/self")?.contains("status") == true)
    }
}
