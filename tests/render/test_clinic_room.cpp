// The teaching round in the client's room view, on lavapipe: a real
// ClientSession over the loopback transport joins a scripted room (a server
// peer that sends the join, the layout, the participants and snapshots with
// the clinic's room objects in their real encodings, through the real
// replicator), and the client's room UI draws the agenda board on the front
// wall, a raised-hand marker over a participant and the round's windows.
// The image is written to the render output directory for a look.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h> // ImGui::ActivateItem: a click on a control by its id

#include "clinic_ui.h"
#include "clinic_wall.h"
#include "net/loopback_transport.h"
#include "net/snapshot.h"
#include "render/camera.h"
#include "render/image_io.h"
#include "render/imgui_layer.h"
#include "render/renderer.h"
#include "render/ui_font.h"
#include "render_fixture.h"
#include "room_ui.h"
#include "session/client_session.h"
#include "session/clinic_wire.h"
#include "session/wire_avatar.h"
#include "sim/layout.h"

using namespace caseroom;
using namespace caseroom::render;
using namespace caseroom::render::test;
using namespace caseroom::client;

namespace {

constexpr std::uint32_t kW = 1280, kH = 720;
constexpr std::uint16_t kPort = 7311;

// A room that says what a clinic server would, for one client.
struct ScriptedRoom {
    net::LoopbackNetwork net{7};
    std::unique_ptr<net::Transport> server = net.createHost(kPort);
    std::unique_ptr<net::Transport> client = net.createHost();
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    net::EntityHistory history{64};
    net::ObjectTable objects;
    net::ClientReplicator replicator{64};
    net::WriteStream writer{net::kMaxMessageBytes + 64};
    std::vector<AvatarDraw> seated = syntheticAvatars(layout, 8); // table seats in order
    core::PeerId peer;
    bool joined = false;
    std::vector<net::FloorIntent> floorIntents;   // what the client asked of the floor
    std::vector<net::AgendaIntent> agendaIntents;
    std::vector<net::BoardIntent> boardIntents;
    std::uint32_t tick = 90000;
    std::uint16_t seq = 0;
    std::uint16_t self = 2;
    core::Role selfRole = core::Role::Spoke;
    struct Person { std::uint16_t slot; std::string name; core::Role role; };
    std::vector<Person> people{{0, "Dr. Amara Osei", core::Role::Facilitator},
                               {1, "Dr. Li Wei", core::Role::Specialist},
                               {2, "Ingrid Søndergaard", core::Role::Spoke},
                               {3, "Tomás Herrera", core::Role::Spoke},
                               {4, "Grace Mensah", core::Role::Spoke}};

    template <typename T> void send(const T& m) {
        REQUIRE(net::encodeMessage(m, writer));
        const auto bytes = writer.finish();
        const net::MessageInfo& info = net::messageInfo(T::kType);
        REQUIRE(server->send(peer, info.channel, bytes, info.reliable));
    }
    template <typename T, typename Enc> void setObject(net::ObjectKind kind, std::uint16_t id, const T& v, Enc enc) {
        net::ObjectBytes b;
        REQUIRE(enc(v, b));
        REQUIRE(objects.set({kind, id}, b.view()));
    }

    void pump(double now) {
        net.advance(now);
        net::TransportEvent ev;
        while (server->poll(now, ev)) {
            if (ev.type == net::TransportEventType::Connected) peer = ev.peer;
            if (ev.type != net::TransportEventType::Received) continue;
            const net::DecodeResult r = net::decodeMessage(ev.data, ev.channel);
            if (joined) {
                if (r.ok && std::holds_alternative<net::FloorIntent>(r.message)) floorIntents.push_back(std::get<net::FloorIntent>(r.message));
                if (r.ok && std::holds_alternative<net::AgendaIntent>(r.message)) agendaIntents.push_back(std::get<net::AgendaIntent>(r.message));
                if (r.ok && std::holds_alternative<net::BoardIntent>(r.message)) boardIntents.push_back(std::get<net::BoardIntent>(r.message));
                continue;
            }
            if (!r.ok || !std::holds_alternative<net::JoinRequest>(r.message)) continue;
            peer = ev.peer;
            joined = true;
            send(net::JoinAccepted{self, 30, tick, selfRole});
            send(session::toWire(layout));
            for (const Person& p : people)
                send(net::ParticipantJoined{p.slot, p.name, p.role, 100u + p.slot, false});
        }
        if (joined) {
            // One snapshot per call: everyone in a table seat, the room's objects.
            ++tick;
            for (const Person& p : people) history.set(p.slot, 1, session::toWire(seated[p.slot].pose), tick);
            std::vector<float> priority(64, 1.0f);
            net::Snapshot snap;
            net::ReplicationConfig cfg;
            cfg.budgetBytes = 4000;
            replicator.build(history, &objects, priority, self, true, tick, cfg, snap);
            send(snap);
        }
        server->flush();
    }
};

struct Context {
    Context() {
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
        ImGui::GetIO().DisplaySize = ImVec2(float(kW), float(kH));
    }
    ~Context() { ImGui::DestroyContext(); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
};

} // namespace

TEST_CASE("offscreen: the agenda board on the wall, a raised hand and the round's windows", "[render][gpu][clinic]") {
    // A spoke (in the queue), the facilitator (the console) and the coordinator (cases, attendance).
    const core::Role role = GENERATE(core::Role::Spoke, core::Role::Facilitator, core::Role::Coordinator);
    const bool facilitator = role == core::Role::Facilitator;
    const bool coordinator = role == core::Role::Coordinator;
    auto rig = makeRig(kW, kH);
    REQUIRE(rig->ok);
    ScriptedRoom room;
    room.self = facilitator ? 0 : 2;
    room.selfRole = role;
    if (coordinator) room.people.push_back({5, "Rosa Jiménez", core::Role::Coordinator}), room.self = 5;
    // The round: a case's recommendations, two hands up, two entries and the consensus.
    const sim::SessionPlan plan = sim::defaultPlan(
        "HCV in pregnancy", {sim::AgendaEntry{sim::Phase::CasePresentation, 0, 0, "54-year-old, genotype 3", "Dr. Pérez",
                                              "Treat now, or wait for the liver biopsy?"}});
    sim::AgendaState a;
    a.hasPlan = true;
    a.entryCount = static_cast<std::uint8_t>(plan.entries.size());
    for (std::size_t i = 0; i < plan.entries.size(); ++i)
        if (plan.entries[i].phase == sim::Phase::CaseRecommendations) a.current = static_cast<std::uint8_t>(i);
    a.phase = sim::Phase::CaseRecommendations;
    a.phaseStartTick = room.tick - 30 * 95;
    a.sessionStartTick = room.tick - 30 * 1800;
    room.setObject(net::ObjectKind::Agenda, 0, a, session::encodeAgenda);
    for (std::size_t i = 0; i < plan.entries.size(); ++i)
        room.setObject(net::ObjectKind::AgendaEntry, static_cast<std::uint16_t>(i), plan.entries[i], session::encodeAgendaEntry);
    sim::QueueState hands;
    hands.entries.push_back({core::EntityId{3}, room.tick - 30 * 40, 0});
    hands.entries.push_back({core::EntityId{2}, room.tick - 30 * 12, 0});
    room.setObject(net::ObjectKind::Queue, sim::kHandsQueue, hands, session::encodeQueue);
    sim::ModerationState m;
    m.facilitator = core::EntityId{0};
    m.floor = core::EntityId{4};
    m.floorSinceTick = room.tick - 30 * 20;
    room.setObject(net::ObjectKind::Moderation, 0, m, session::encodeModeration);
    const char* texts[] = {"Start sofosbuvir/velpatasvir for 12 weeks; check HBV first.",
                           "Agree; fibrosis by elastography is enough, no biopsy.",
                           "Treat now: 12 weeks of sofosbuvir/velpatasvir, elastography instead of biopsy."};
    for (std::uint16_t i = 0; i < 3; ++i) {
        sim::BoardEntry b;
        b.id = static_cast<std::uint16_t>(i + 1);
        b.caseIndex = 0;
        b.author = core::EntityId{static_cast<std::uint16_t>(i == 2 ? 0 : i + 1)};
        b.authorName = i == 2 ? "Dr. Amara Osei" : room.people[i + 1].name;
        b.authorRole = i == 2 ? core::Role::Facilitator : room.people[i + 1].role;
        b.postedTick = room.tick - 30u * (60u - 10u * i);
        b.consensus = i == 2;
        b.text = texts[i];
        room.setObject(net::ObjectKind::BoardEntry, b.id, b, session::encodeBoardEntry);
    }

    session::ClientDesc desc;
    desc.displayName = room.people[room.self].name;
    desc.role = role;
    session::ClientSession s(*room.client, desc);
    s.connect(net::Address{"loop", kPort}, 0.0);
    double now = 0;
    for (int i = 0; i < 200 && !(s.state() == session::ClientState::InRoom && s.clinic().board().size() == 3 &&
                                  s.clinic().hands().entries.size() == 2 && s.avatars().size() == room.people.size() && s.layout());
         ++i) {
        now += 1.0 / 30;
        s.update(now);
        room.pump(now);
    }
    REQUIRE(s.state() == session::ClientState::InRoom);
    REQUIRE(s.clinic().board().size() == 3);
    REQUIRE(s.clinic().agenda().phase == sim::Phase::CaseRecommendations);
    CHECK(s.clinic().handPosition(s.self()) == (facilitator || coordinator ? 0u : 2u));

    Context ctx;
    (void)loadUiFont(*ImGui::GetIO().Fonts);
    ImGuiLayer ui;
    REQUIRE(createImGuiLayer(ui, rig->rig.dev, rig->rig.target).ok());
    RoomUi roomUi;
    roomUi.showHelp = false;
    ClinicUi clinicUi;
    // A chat line I sent that the PHI screen held: the server answers with
    // TextHeld (spans only); the window shows my own text with them marked.
    const std::string mine = "Pt Maria Delgado, MRN 00482913: can she start in the second trimester?";
    if (role == core::Role::Spoke) {
        clinicUi.sent.push_back({net::IntentKind::Chat, 41, mine});
        net::TextHeld th;
        th.intent = net::IntentKind::Chat;
        th.clientSeq = 41;
        th.findings.push_back({"chat", 3, 16, 0});
        th.findings.push_back({"chat", 22, 30, 7});
        room.send(th);
        room.server->flush();
        for (int i = 0; i < 10 && s.heldTexts().empty(); ++i) {
            now += 1.0 / 30;
            s.update(now);
            room.pump(now);
        }
        REQUIRE(s.heldTexts().size() == 1);
    }
    std::vector<ClinicIntent> intents;
    std::vector<std::string> notices;
    std::vector<AvatarDraw> avatars;
    const Camera camera = overviewCamera(*s.layout());
    RgbaImage img;
    const auto render = [&](const Camera& cam, bool overview) -> RgbaImage {
    for (int frame = 0; frame < 4; ++frame) {
        now += 1.0 / 30;
        s.update(now);
        room.pump(now);
        for (auto& n : takeClinicNotices(clinicUi, s, now)) notices.push_back(n);
        avatars.clear();
        for (const session::RemoteAvatar& p : s.avatars())
            if (p.hasPose) avatars.push_back(AvatarDraw{p.pose, p.role, p.name});
        FrameView view;
        view.layout = s.layout();
        view.avatars = avatars;
        view.camera = cam;
        REQUIRE(beginFrame(rig->rig.renderer, rig->rig.target.extent) == FrameResult::Ready);
        drawScene(rig->rig.renderer, view);
        imguiNewFrame(ui);
        ImGuiIO& io = ImGui::GetIO();
        io.DeltaTime = 1.0f / 30;
        ImGui::NewFrame();
        RoomUiView rv;
        rv.session = &s;
        rv.server = "loop:7311";
        rv.camera = cam;
        rv.avatars = avatars;
        rv.overview = overview;
        rv.now = now;
        drawRoomUi(roomUi, ui, rv);
        ClinicUiView cv;
        cv.session = &s;
        cv.now = now;
        cv.readOnly = role == core::Role::Spoke; // the hub's controls enabled (nothing is clicked)
        drawClinicUi(clinicUi, cv, intents);
        ImGui::Render();
        recordImGui(ui, frameCommandBuffer(rig->rig.renderer));
        REQUIRE(endFrame(rig->rig.renderer) == FrameResult::Ready);
    }
    REQUIRE(waitIdle(rig->rig.renderer));
    auto captured = captureFrame(rig->rig.renderer);
    REQUIRE(captured);
    return *captured;
    };
    img = render(camera, true);
    // Close up, as someone standing in front of it: the board's text for a look.
    const sim::Panel near = wallBoardPlacement(*s.layout());
    const RgbaImage close = render(lookAt(near.center + panelNormal(near) * 3.2f, near.center, 1.0f), false);
    const RgbaImage seat = render(seatCamera(*s.layout(), 8), false); // from a free table seat
    destroyImGuiLayer(ui);
    CHECK(intents.empty()); // nothing clicked: nothing emitted
    CHECK(clinicUi.heldOpen == (role == core::Role::Spoke));

    // The H key (as the window passes it) lowers my raised hand: one
    // FloorIntent{Lower} reaches the room through the session.
    if (role == core::Role::Spoke) {
        REQUIRE(createImGuiLayer(ui, rig->rig.dev, rig->rig.target).ok());
        imguiNewFrame(ui);
        ImGui::NewFrame();
        ClinicUiView cv;
        cv.session = &s;
        cv.now = now;
        cv.toggleHand = true;
        drawClinicUi(clinicUi, cv, intents);
        ImGui::EndFrame();
        destroyImGuiLayer(ui);
        REQUIRE(intents.size() == 1);
        REQUIRE(std::holds_alternative<net::FloorIntent>(intents[0]));
        CHECK(std::get<net::FloorIntent>(intents[0]).op == net::FloorIntent::Op::Lower);
        sendClinicIntents(s, intents);
        CHECK(intents.empty());
        for (int i = 0; i < 10 && room.floorIntents.empty(); ++i) {
            now += 1.0 / 30;
            s.update(now);
            room.pump(now);
        }
        REQUIRE(room.floorIntents.size() == 1);
        CHECK(room.floorIntents[0].op == net::FloorIntent::Op::Lower);
    }

    // The facilitator clicks (ImGui::ActivateItem, as a click on the control):
    // Next in the console sends AgendaIntent{Next}; Post as the consensus
    // is greyed while the summary box is empty (nothing sent), and sends the
    // summary once written.
    if (facilitator) {
        REQUIRE(createImGuiLayer(ui, rig->rig.dev, rig->rig.target).ok());
        const auto click = [&](const char* window, const char* label) {
            for (int f = 0; f < 2; ++f) { // activation is queued: the control fires on the next frame
                imguiNewFrame(ui);
                ImGui::NewFrame();
                if (f == 0) {
                    ImGuiWindow* w = ImGui::FindWindowByName(window);
                    REQUIRE(w);
                    ImGui::ActivateItem(w->GetID(label));
                }
                ClinicUiView cv;
                cv.session = &s;
                cv.now = now;
                drawClinicUi(clinicUi, cv, intents);
                ImGui::EndFrame();
            }
        };
        click("###clinic-console", tr(StringId::ButtonNext));
        REQUIRE(intents.size() == 1);
        REQUIRE(std::holds_alternative<net::AgendaIntent>(intents[0]));
        CHECK(std::get<net::AgendaIntent>(intents[0]).op == net::AgendaIntent::Op::Next);
        sendClinicIntents(s, intents);
        click("###clinic-board", tr(StringId::ButtonPostSummary));
        CHECK(intents.empty()); // an empty summary: the button is greyed
        clinicUi.summary = "Treat now: 12 weeks of sofosbuvir/velpatasvir.";
        click("###clinic-board", tr(StringId::ButtonPostSummary));
        REQUIRE(intents.size() == 1);
        REQUIRE(std::holds_alternative<net::BoardIntent>(intents[0]));
        CHECK(std::get<net::BoardIntent>(intents[0]).op == net::BoardIntent::Op::Summary);
        sendClinicIntents(s, intents);
        destroyImGuiLayer(ui);
        for (int i = 0; i < 10 && (room.agendaIntents.empty() || room.boardIntents.empty()); ++i) {
            now += 1.0 / 30;
            s.update(now);
            room.pump(now);
        }
        REQUIRE(room.agendaIntents.size() == 1);
        CHECK(room.agendaIntents[0].op == net::AgendaIntent::Op::Next);
        REQUIRE(room.boardIntents.size() == 1);
        CHECK(room.boardIntents[0].text == "Treat now: 12 weeks of sofosbuvir/velpatasvir.");
        CHECK(room.boardIntents[0].clientSeq != 0);
    }

    // My notices: the phase; as a spoke my hand is #2 and recommendations
    // open for me; as the facilitator I run the session; who has the floor.
    const auto has = [&](const std::string& t) { return std::find(notices.begin(), notices.end(), t) != notices.end(); };
    CHECK(has("Grace Mensah has the floor"));
    CHECK(has("now: recommendations, " + plan.entries[a.current].title));
    if (facilitator) {
        CHECK(has("you run the session now (the Facilitator console is open)"));
        CHECK_FALSE(has("your hand is #2 in the queue"));
    } else if (coordinator) {
        CHECK_FALSE(has("your hand is #2 in the queue"));
        CHECK_FALSE(has("recommendations are open: write yours in the Board window")); // coordinators do not recommend
    } else {
        CHECK(has("your hand is #2 in the queue"));
        CHECK(has("recommendations are open: write yours in the Board window"));
    }

    const std::filesystem::path out = std::filesystem::path(CASEROOM_RENDER_OUT_DIR) /
                                      (facilitator ? "clinic_room_facilitator.png" : coordinator ? "clinic_room_coordinator.png" : "clinic_room.png");
    std::filesystem::create_directories(out.parent_path());
    CHECK(writePng(out.string(), img).ok());
    if (role == core::Role::Spoke) {
        CHECK(writePng((out.parent_path() / "clinic_board.png").string(), close).ok());
        CHECK(writePng((out.parent_path() / "clinic_seat.png").string(), seat).ok());
    }

    // The board: its dark background, projected where the wall board hangs
    // (a spot near the lower left of the canvas that no text covers).
    const sim::Panel b = wallBoardPlacement(*s.layout());
    const glm::mat4 vp = viewProjection(camera, float(kW) / float(kH));
    const glm::vec3 n = panelNormal(b);
    const glm::vec3 right = glm::normalize(glm::cross(glm::vec3(0, 1, 0), n));
    const glm::vec3 spot = b.center - right * (b.width * 0.47f) - glm::vec3(0, b.height * 0.45f, 0);
    const auto px = projectToPixel(vp, spot, {float(kW), float(kH)});
    REQUIRE(px);
    INFO("board spot at " << px->x << "," << px->y);
    // (The facilitator's console covers that part of the wall in the overview.)
    if (!facilitator) {
        const glm::vec3 bg = meanBlock(img, int(px->x), int(px->y), 1);
        CHECK(std::abs(bg.r - 18.0f / 255) < 0.06f);
        CHECK(std::abs(bg.b - 36.0f / 255) < 0.06f);
        CHECK(bg.b > bg.r); // the board's blue-black, not the wall
    }

    // The raised-hand marker over Tomás (slot 3, first in the queue): its yellow ink above the name tag.
    const session::RemoteAvatar* tomas = nullptr;
    for (const auto& p : s.avatars())
        if (p.slot == 3) tomas = &p;
    REQUIRE(tomas);
    const auto anchor = projectToPixel(vp, nameTagAnchor(tomas->pose), {float(kW), float(kH)});
    REQUIRE(anchor);
    int yellow = 0;
    for (int y = int(anchor->y) - 60; y < int(anchor->y); ++y)
        for (int x = int(anchor->x) - 30; x < int(anchor->x) + 30; ++x) {
            if (x < 0 || y < 0 || x >= int(kW) || y >= int(kH)) continue;
            const glm::vec3 c = pixel(img, x, y);
            yellow += c.r > 0.85f && c.g > 0.65f && c.g < 0.9f && c.b < 0.4f;
        }
    CHECK(yellow > 15);
    room.client.reset();
    CHECK(finish(rig) == 0);
}
