import NIOCore
import Protocol
import TestSupport

/// Inputs for the garbage test: pure noise, and frames with plausible headers around noisy or mutated JSON.
enum Garbage {
    static let seeds: [String] = [
        #"{"v":1,"id":0,"type":"hello","body":{"role":"agent","versions":{"min":1,"max":1},"software":"x","capabilities":[]}}"#,
        #"{"v":1,"id":3,"type":"reply","re":2,"body":{"credit":65536}}"#,
        #"{"v":1,"id":1,"type":"error","body":{"code":"internal","message":"m"}}"#,
    ]

    static func input(round: Int, using rng: inout SplitMix64) -> [UInt8] {
        switch round % 3 {
        case 0:
            return (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 1:
            var json = Array(seeds[Int.random(in: 0..<seeds.count, using: &rng)].utf8)
            for _ in 0..<Int.random(in: 0...4, using: &rng) where !json.isEmpty {
                json[Int.random(in: 0..<json.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng), !json.isEmpty { json.removeLast(Int.random(in: 0...json.count, using: &rng)) }
            var frame = ByteBuffer()
            FrameEncoder.encode(.message(ByteBuffer(bytes: json)), into: &frame)
            return Array(frame.readableBytesView)
        default:
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let length = UInt32.random(in: 0...12, using: &rng)
                bytes += withUnsafeBytes(of: length.bigEndian, Array.init)
                bytes.append(UInt8.random(in: 0...3, using: &rng))
                bytes += (0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            return bytes
        }
    }
}
