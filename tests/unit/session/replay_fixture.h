// A synthetic recording written with record::RecordingWriter exactly as the
// server's recorder writes one (session/replay_room.h "How a recording maps
// to the room"): participants joining and leaving (a slot reused by a new
// instance), moving, objects set and removed, one speaker's voice, marks, a
// pause resumed by a keyframe, keyframes every 300 ticks, blocks of 30 ticks.
// `expected` holds what the room showed at every recorded tick.
// Shared by tests/unit/session/test_replay_room.cpp and tests/integration/test_replay.cpp.
#pragma once
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "net/video_wire.h"
#include "record/recording.h"
#include "session/clinic_wire.h"
#include "session/recording_wire.h"
#include "session/replay_room.h"
#include "session/wire_avatar.h"
#include "sim/phase.h"

namespace caseroom::testing {

struct SyntheticRecording {
    std::string path;
    record::Key key{};
    std::uint32_t firstTick = 100, lastTick = 1400;
    std::uint32_t pauseTick = 650, resumeTick = 740;
    std::map<std::uint32_t, session::ReplayState> expected;    // recorded ticks only
    std::vector<record::VoiceSample> voice;                   // every frame written, in order
    std::vector<record::VideoSample> video;                   // every video fragment written, in order (the speaker's screen)
    std::vector<record::Mark> marks;
    std::uint32_t speakerSlot = 1;
};

inline record::Key testRecordingKey() {
    record::Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(0x40 + i * 7);
    return k;
}

inline std::string testRoomSpec(const std::string& code) {
    return "[room " + code + "]\nname = Replayed clinic\nwidth = 14\ndepth = 10\ntable_seats = 10\naudience_rows = 1\naudience_per_row = 8\nmax_participants = 24\n";
}

// Writes the recording to `path` (which must not exist).
inline SyntheticRecording writeSyntheticRecording(const std::string& path, const std::string& code = "R1") {
    SyntheticRecording out;
    out.path = path;
    out.key = testRecordingKey();
    record::WriterConfig cfg;
    cfg.path = path;
    cfg.key = out.key;
    cfg.info.room = code;
    cfg.info.title = "Hepatitis C clinic";
    cfg.info.session = 7;
    cfg.info.startedUnix = 1764676800; // 2025-12-02 12:00 UTC
    cfg.info.tickRate = 30;
    cfg.info.firstTick = out.firstTick;
    cfg.info.roomSpec = testRoomSpec(code);
    cfg.flushTicks = 30;
    cfg.syncEachBlock = false;
    auto w = record::RecordingWriter::create(cfg);
    if (!w) return out;
    record::RecordingWriter& writer = **w;

    struct Who { std::uint16_t slot; std::uint16_t instance; std::uint32_t from, to; core::Role role; const char* name; };
    const std::vector<Who> schedule = {
        {0, 1, 100, 1400, core::Role::Facilitator, "Dr Facilitator"},
        {1, 2, 100, 900, core::Role::Specialist, "Dr Specialist"},
        {2, 3, 250, 600, core::Role::Spoke, "Spoke A"},
        {3, 4, 450, 1400, core::Role::Spoke, "Spoke B"},
        {2, 5, 800, 1400, core::Role::Coordinator, "Coordinator C"},
        {4, 6, 1010, 1400, core::Role::Observer, "Observer D"},
    };
    session::ReplayState room;                 // the live room, every tick
    std::map<std::uint16_t, bool> fresh;       // the slot's next tick-record sample is absolute
    double nextVoiceMs = 0;
    std::uint16_t voiceSeq = 0;
    std::vector<record::VoiceSample> carried; // arrived on a keyframe tick: written with the next record
    std::vector<record::VideoSample> carriedVideo;
    auto msOf = [&](std::uint32_t t) { return (static_cast<double>(t) - out.firstTick) * 1000.0 / 30.0; };

    for (std::uint32_t t = out.firstTick; t <= out.lastTick; ++t) {
        record::TickRecord rec;
        rec.tick = t;
        room.tick = t;
        for (const Who& w2 : schedule) {
            if (t == w2.to && w2.to < out.lastTick) {
                room.present.erase(w2.slot);
                room.avatars.erase(w2.slot);
                rec.left.push_back(w2.slot);
            }
        }
        for (const Who& w2 : schedule)
            if (t == w2.from) {
                record::Present p{w2.slot, w2.instance, w2.role, w2.name};
                room.present[w2.slot] = p;
                rec.joined.push_back(p);
                fresh[w2.slot] = true;
            }
        for (const auto& [slot, p] : room.present) {
            if ((t + slot) % 4 == 0 && room.avatars.contains(slot)) continue; // still this tick
            sim::AvatarPose pose;
            const double a = t * 0.013 + slot;
            pose.body = {static_cast<float>(std::sin(a) * 3.0), 0.0f, static_cast<float>(std::cos(a) * 2.5)};
            pose.bodyYaw = static_cast<float>(std::fmod(a, 6.0));
            pose.head = glm::angleAxis(static_cast<float>(std::sin(a * 3) * 0.5), glm::vec3(0, 1, 0));
            net::QuantizedAvatar q = session::toWire(pose);
            q.voiceLevel = slot == out.speakerSlot && (t / 45) % 2 == 0 ? 9 : 0;
            const auto prev = room.avatars.find(slot);
            if (prev != room.avatars.end() && prev->second == q) continue;
            rec.avatars.push_back(record::AvatarSample{slot, session::encodeRecordedAvatar(q, fresh[slot] || prev == room.avatars.end() ? nullptr : &prev->second)});
            fresh[slot] = false;
            room.avatars[slot] = q;
        }
        auto setObject = [&](net::ObjectKind kind, std::uint16_t id, std::vector<std::uint8_t> bytes) {
            room.objects[net::ObjectKey{kind, id}] = bytes;
            rec.objects.push_back(record::ObjectSample{static_cast<std::uint8_t>(kind), id, false, std::move(bytes)});
        };
        // Objects in their systems' real encodings (a client decodes them).
        net::ObjectBytes enc;
        if (t % 40 == 0 && session::encodeStatement(sim::Statement{sim::StatementKind::Disclosure, "Disclosure", "version " + std::to_string(t)}, enc))
            setObject(net::ObjectKind::Statement, 0, {enc.data.begin(), enc.data.begin() + enc.size});
        if (t % 100 == 7) {
            sim::ChatLine line;
            line.seq = t / 100;
            line.author = core::EntityId{0};
            line.authorName = "Dr Facilitator";
            line.authorRole = core::Role::Facilitator;
            line.tick = t;
            line.text = "chat line " + std::to_string(t / 100);
            if (session::encodeChatLine(line, enc))
                setObject(net::ObjectKind::ChatLine, static_cast<std::uint16_t>(t / 100), {enc.data.begin(), enc.data.begin() + enc.size});
        }
        if (t % 150 == 0 && room.objects.erase(net::ObjectKey{net::ObjectKind::ChatLine, static_cast<std::uint16_t>(t / 150)}))
            rec.objects.push_back(record::ObjectSample{static_cast<std::uint8_t>(net::ObjectKind::ChatLine), static_cast<std::uint16_t>(t / 150), true, {}});
        // The speaker's 20 ms frames that arrived since the previous tick.
        std::vector<record::VoiceSample> arrived;
        if (room.present.contains(static_cast<std::uint16_t>(out.speakerSlot)))
            while (nextVoiceMs <= msOf(t)) {
                record::VoiceSample v;
                v.atMs = static_cast<std::uint32_t>(nextVoiceMs);
                v.slot = static_cast<std::uint16_t>(out.speakerSlot);
                v.seq = voiceSeq++;
                v.level = 180; // the level byte as the server believed it
                v.frameMs = 20;
                v.opus = {0x78, static_cast<std::uint8_t>(v.seq), static_cast<std::uint8_t>(v.seq >> 8), 0x11, 0x22};
                arrived.push_back(v);
                nextVoiceMs += 20;
            }
        else
            nextVoiceMs = msOf(t) + 20;
        // The speaker's screen: a fragment every sixth tick (the bytes are the record's, not a real message here).
        std::vector<record::VideoSample> videoArrived;
        if (room.present.contains(static_cast<std::uint16_t>(out.speakerSlot)) && t % 6 == 0) {
            record::VideoSample v;
            v.atMs = static_cast<std::uint32_t>(msOf(t));
            v.stream = net::VideoStreamId{static_cast<std::uint16_t>(out.speakerSlot), net::VideoKind::Screen}.packed();
            v.wire = {35, static_cast<std::uint8_t>(t), static_cast<std::uint8_t>(t >> 8), 0x5A};
            videoArrived.push_back(v);
        }

        const bool inGap = t >= out.pauseTick && t < out.resumeTick;
        if (t == out.pauseTick) {
            writer.pause(record::Pause{t, static_cast<std::uint8_t>(sim::Phase::CasePresentation), 0});
            continue;
        }
        if (inGap) continue; // nothing written; the voice is lost
        if (t == 100 || t == 500 || t == 1020) {
            record::Mark m{t, static_cast<std::uint8_t>(t == 100 ? sim::Phase::Lobby : t == 500 ? sim::Phase::Didactic : sim::Phase::CasePresentation),
                           static_cast<std::uint16_t>(t / 500), t == 1020 ? "case 1: hepatitis C, genotype 3" : t == 500 ? "didactic" : "lobby"};
            writer.mark(m);
            out.marks.push_back(m);
        }
        const bool key = (t - out.firstTick) % 300 == 0 || t == out.resumeTick;
        if (key) {
            record::Keyframe k;
            k.tick = t;
            for (const auto& [slot, p] : room.present) k.present.push_back(p);
            for (const auto& [slot, q] : room.avatars) k.avatars.push_back(record::AvatarSample{slot, session::encodeRecordedAvatar(q, nullptr)});
            for (const auto& [objKey, bytes] : room.objects)
                k.objects.push_back(record::ObjectSample{static_cast<std::uint8_t>(objKey.kind), objKey.id, false, bytes});
            for (auto& [slot, f] : fresh) f = true;
            writer.keyframe(k);
            carried.insert(carried.end(), arrived.begin(), arrived.end());
            carriedVideo.insert(carriedVideo.end(), videoArrived.begin(), videoArrived.end());
        } else {
            rec.voice = std::move(carried);
            carried.clear();
            rec.voice.insert(rec.voice.end(), arrived.begin(), arrived.end());
            for (const auto& v : rec.voice) out.voice.push_back(v);
            rec.video = std::move(carriedVideo);
            carriedVideo.clear();
            rec.video.insert(rec.video.end(), videoArrived.begin(), videoArrived.end());
            for (const auto& v : rec.video) out.video.push_back(v);
            writer.append(rec);
        }
        out.expected[t] = room;
        if (t % 97 == 0) writer.flush();
    }
    (void)writer.close();
    return out;
}

} // namespace caseroom::testing
