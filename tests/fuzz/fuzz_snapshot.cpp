// net::SnapshotReceiver::receive over a sequence of snapshots, so deltas meet
// baselines (present, missing, stale). Input: repeated
//   [u16 seq][u8 baselineOffset][u8 flags][u16 payload length][payload]
// until the input runs out; the last payload takes what is left.
#include <cstdint>
#include <span>
#include <vector>

#include "net/snapshot.h"

using namespace caseroom::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    SnapshotReceiver receiver;
    std::vector<EntityUpdate> updates;
    std::vector<ObjectUpdate> objects; // the objects section is parsed too
    std::size_t pos = 0;
    int count = 0;
    while (size - pos >= 6 && count++ < 64) {
        Snapshot snap;
        snap.seq = static_cast<std::uint16_t>(data[pos] | (data[pos + 1] << 8));
        snap.baselineOffset = data[pos + 2] % 64;
        snap.hasInput = (data[pos + 3] & 1) != 0;
        snap.serverTick = data[pos + 3];
        std::size_t len = static_cast<std::size_t>(data[pos + 4] | (data[pos + 5] << 8));
        pos += 6;
        if (len > size - pos) len = size - pos;
        snap.payload.assign(data + pos, data + pos + len);
        pos += len;
        (void)receiver.receive(snap, updates, objects);
        (void)receiver.ackBits();
    }
    return 0;
}
