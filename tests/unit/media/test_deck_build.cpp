// De-identification and deck building: DICOM with identifying attributes is
// refused with file, tag and value kind (never the value); --scrub builds a
// deck holding none of the values and the original pixels sample for sample;
// burned-in annotation rules; photos stripped; PDF pages rasterised;
// scrubDicom keeps Pixel Data byte for byte; the PHI screen over captions,
// file names and PDF page text.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "media/deck.h"
#include "media/deck_build.h"
#include "media/deidentify.h"
#include "media/dicom_structure.h"
#include "media/image.h"

#include <algorithm>
#include <cstring>

using namespace caseroom::media;
using namespace caseroom::media::testkit;

namespace {

const std::vector<std::string> kPhi = {"DOE^JANE", "MRN-4471", "19620314", "St Elsewhere Clinic", "ACME-PRIVATE-VALUE",
                                       "Chest pain, left arm"};

DicomSpec identifiedCt() {
    DicomSpec s;
    s.width = 24;
    s.height = 16;
    s.slope = 2.0;
    s.intercept = -1000.0;
    s.window = Window{40, 400};
    for (std::uint32_t y = 0; y < s.height; ++y)
        for (std::uint32_t x = 0; x < s.width; ++x)
            s.values.push_back(static_cast<std::int32_t>(x * 97 + y * 31) % 3000 - 1200); // -1200..1799, signed
    s.extra = {{0x0010, 0x0010, "PN", kPhi[0]}, {0x0010, 0x0020, "LO", kPhi[1]},
               {0x0010, 0x0030, "DA", kPhi[2]}, {0x0008, 0x0080, "LO", kPhi[3]},
               {0x0009, 0x0010, "LO", "ACME 1.0"}, {0x0009, 0x1001, "LO", kPhi[4]},
               {0x0008, 0x1030, "LO", kPhi[5]}};
    return s;
}

std::filesystem::path writeTemp(const std::filesystem::path& dir, const std::string& name, const Bytes& b) {
    writeAll(dir / name, b);
    return dir / name;
}

bool contains(const Bytes& hay, const std::string& needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

// Every blob in the store (manifest included) as bytes.
std::vector<Bytes> allBlobs(const BlobStore& store) {
    std::vector<Bytes> out;
    for (const auto& h : store.list()) {
        auto b = store.read(h);
        REQUIRE(b.ok());
        out.push_back(*b);
    }
    return out;
}

} // namespace

TEST_CASE("deidentify: the table is sorted and holds the profile's core attributes", "[deck]") {
    const auto table = basicProfileTable();
    REQUIRE(table.size() > 300);
    for (std::size_t i = 1; i < table.size(); ++i) CHECK(table[i - 1].tag < table[i].tag);
    for (const auto& r : table) CHECK(std::string(r.actionCode) != "K");
    CHECK(std::string(findBasicProfileRule(0x00100010)->keyword) == "PatientName");
    CHECK(std::string(findBasicProfileRule(0x00100010)->actionCode) == "Z");
    CHECK(std::string(findBasicProfileRule(0x00080018)->actionCode) == "U");
    CHECK(std::string(findBasicProfileRule(0x00080080)->actionCode) == "X/Z/D");
    CHECK(std::string(findBasicProfileRule(0x60223000)->keyword) == "OverlayData");
    CHECK(findBasicProfileRule(0x00280010) == nullptr); // Rows: kept
}

TEST_CASE("deidentify: identifying attributes are listed with tag and value kind, never the value", "[deck]") {
    const Bytes dcm = makeDicom(identifiedCt());
    auto screen = screenDicom(dcm, "case7.dcm");
    REQUIRE(screen.ok());
    std::string all;
    for (const auto& f : screen->findings) all += f.describe() + "\n";
    INFO(all);
    CHECK_THAT(all, Catch::Contains("(0010,0010) PatientName: PN, 8 bytes (Table E.1-1 action Z)"));
    CHECK_THAT(all, Catch::Contains("(0010,0020) PatientID: LO, 8 bytes"));
    CHECK_THAT(all, Catch::Contains("(0010,0030) PatientBirthDate: DA, 8 bytes"));
    CHECK_THAT(all, Catch::Contains("(0008,0080) InstitutionName: LO, 20 bytes"));
    CHECK_THAT(all, Catch::Contains("(0009,1001) private tag: LO"));
    CHECK_THAT(all, Catch::Contains("(0009,0010) PrivateCreator"));
    CHECK_THAT(all, Catch::Contains("(0008,1030) StudyDescription"));
    CHECK_THAT(all, Catch::Contains("(0008,0018) SOPInstanceUID: UI"));
    for (const auto& v : kPhi) CHECK(all.find(v) == std::string::npos);
    CHECK(screen->modality == "CT");
    CHECK_FALSE(screen->burnedInRefused());
}

TEST_CASE("deck build: identified DICOM is refused naming file and tags, and --scrub builds a deck free of the values",
          "[deck]") {
    const auto dir = scratchDir("deck_scrub");
    const DicomSpec spec = identifiedCt();
    const auto file = writeTemp(dir, "jane-doe-ct.dcm", makeDicom(spec));
    auto store = BlobStore::open(dir / "blobs");
    REQUIRE(store.ok());
    BuildOptions options;
    auto refused = buildDeck({file}, options, *store);
    REQUIRE(refused.ok());
    REQUIRE_FALSE(refused->ok());
    REQUIRE(refused->files.size() == 1);
    const std::string why = joined(refused->files[0].refusals);
    INFO(why);
    CHECK_THAT(why, Catch::Contains(file.string() + ": (0010,0010) PatientName: PN, 8 bytes"));
    CHECK_THAT(why, Catch::Contains(file.string() + ": (0009,1001) private tag"));
    for (const auto& v : kPhi) CHECK(why.find(v) == std::string::npos);
    CHECK(store->list().empty()); // nothing of a refused file is stored

    options.scrub = true;
    options.title = "Week 3";
    auto built = buildDeck({file}, options, *store);
    REQUIRE(built.ok());
    REQUIRE(built->ok());
    CHECK_THAT(joined(built->files[0].scrubbed), Catch::Contains("(0010,0010) PatientName"));
    // Nothing identifying in any blob: manifest or frame.
    for (const auto& blob : allBlobs(*store)) {
        for (const auto& v : kPhi) CHECK_FALSE(contains(blob, v));
        CHECK_FALSE(contains(blob, "jane-doe"));
    }
    const DeckSlide& s = built->manifest.slides.at(0);
    CHECK(s.kind == SlideKind::Dicom);
    CHECK(s.caption == "Slide 1");
    CHECK(s.isSigned);
    CHECK(s.bits == 16);
    CHECK(s.rescaleSlope == 2.0);
    CHECK(s.rescaleIntercept == -1000.0);
    REQUIRE(s.window.has_value());
    CHECK(s.window->centre == 40);
    // The frame decodes (PNG only) to the original's stored samples, + 32768.
    auto frame = store->read(s.frames.at(0));
    REQUIRE(frame.ok());
    auto png = decodeRaster(*frame, "frame");
    REQUIRE(png.ok());
    REQUIRE(png->width == spec.width);
    REQUIRE(png->height == spec.height);
    std::size_t i = 0, mismatches = 0;
    for (std::uint32_t y = 0; y < spec.height; ++y)
        for (std::uint32_t x = 0; x < spec.width; ++x)
            mismatches += png->sample(0, x, y) - 32768 != spec.values[i++];
    CHECK(mismatches == 0);
    // The manifest names the deck and parses back.
    auto manifestBytes = store->read(*built->manifestHash);
    REQUIRE(manifestBytes.ok());
    auto parsed = parseManifest(*manifestBytes, "manifest");
    REQUIRE(parsed.ok());
    CHECK(*parsed == built->manifest);
    CHECK(parsed->title == "Week 3");
}

TEST_CASE("deck build: multi-frame DICOM becomes a cine slide with its frames sample for sample", "[deck]") {
    const auto dir = scratchDir("deck_cine");
    DicomSpec s;
    s.width = 8;
    s.height = 6;
    s.frames = 5;
    s.bits = 8;
    s.isSigned = false;
    s.sopClassUid = "1.2.840.10008.5.1.4.1.1.7.2"; // multi-frame grey byte secondary capture
    s.extra = {{0x0028, 0x0301, "CS", "NO"}, {0x0018, 0x0040, "IS", "25"}};
    for (std::uint32_t i = 0; i < s.width * s.height * s.frames; ++i) s.values.push_back(static_cast<std::int32_t>(i * 7 % 256));
    const auto file = writeTemp(dir, "loop.dcm", makeDicom(s));
    auto store = BlobStore::open(dir / "blobs");
    REQUIRE(store.ok());
    BuildOptions options;
    options.scrub = true;
    auto built = buildDeck({file}, options, *store);
    REQUIRE(built.ok());
    INFO(joined(built->files[0].refusals));
    REQUIRE(built->ok());
    const DeckSlide& slide = built->manifest.slides.at(0);
    REQUIRE(slide.frames.size() == 5);
    CHECK(slide.frameRateHz == 25.0);
    CHECK(slide.bits == 8);
    std::size_t i = 0, mismatches = 0;
    for (std::uint32_t f = 0; f < s.frames; ++f) {
        auto png = decodeRaster(*store->read(slide.frames[f]), "frame");
        REQUIRE(png.ok());
        for (std::uint32_t y = 0; y < s.height; ++y)
            for (std::uint32_t x = 0; x < s.width; ++x) mismatches += png->sample(0, x, y) != s.values[i++];
    }
    CHECK(mismatches == 0);
    // Without a rate of its own, the default 10 Hz (and a note).
    s.extra = {{0x0028, 0x0301, "CS", "NO"}};
    const auto plain = writeTemp(dir, "loop2.dcm", makeDicom(s));
    built = buildDeck({plain}, options, *store);
    REQUIRE(built.ok());
    REQUIRE(built->ok());
    CHECK(built->manifest.slides.at(0).frameRateHz == 10.0);
    CHECK_THAT(joined(built->files[0].notes), Catch::Contains("10 Hz"));
}

TEST_CASE("deck build: burned-in annotation YES, or unknown on US, is refused unless overridden with a reason",
          "[deck]") {
    const auto dir = scratchDir("deck_burned");
    auto store = BlobStore::open(dir / "blobs");
    REQUIRE(store.ok());
    DicomSpec yes;
    yes.values.assign(16, 3);
    yes.extra = {{0x0028, 0x0301, "CS", "YES"}};
    DicomSpec us;
    us.bits = 8;
    us.isSigned = false;
    us.values.assign(16, 3);
    us.modality = "US";
    us.sopClassUid = "1.2.840.10008.5.1.4.1.1.6.1";
    DicomSpec sc = us;
    sc.modality = "OT";
    sc.sopClassUid = "1.2.840.10008.5.1.4.1.1.7";
    const auto a = writeTemp(dir, "a.dcm", makeDicom(yes));
    const auto b = writeTemp(dir, "b.dcm", makeDicom(us));
    const auto c = writeTemp(dir, "c.dcm", makeDicom(sc));
    BuildOptions options;
    options.scrub = true; // scrubbing attributes cannot clean pixels
    auto r = buildDeck({a, b, c}, options, *store);
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->ok());
    CHECK_THAT(joined(r->files[0].refusals), Catch::Contains("a.dcm: Burned In Annotation (0028,0301) is YES"));
    CHECK_THAT(joined(r->files[1].refusals), Catch::Contains("absent on a US image"));
    CHECK_THAT(joined(r->files[2].refusals), Catch::Contains("absent on a secondary capture image"));
    options.burnedInOk = "checked: only a ruler is burned in";
    r = buildDeck({a, b, c}, options, *store);
    REQUIRE(r.ok());
    REQUIRE(r->ok());
    CHECK(r->manifest.slides.size() == 3);
    CHECK_THAT(joined(r->files[1].notes), Catch::Contains("checked: only a ruler is burned in"));
}

TEST_CASE("deck build: photos are stripped, PDFs rasterised per page, order as given", "[deck]") {
    const auto dir = scratchDir("deck_mixed");
    Bytes px(32 * 16 * 3);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 3);
    const auto png = writeTemp(dir, "z-photo.png",
                               insertPngChunk(makePng(32, 16, 3, 8, px), "tEXt", std::string("Comment\0Secret note", 19)));
    const auto jpg = writeTemp(dir, "a-photo.jpg",
                               insertJpegSegment(makeJpeg(32, 16, 3, px, 90), 0xe1, std::string("Exif\0\0Secret GPS", 17)));
    const auto pdf = writeTemp(dir, "talk.pdf",
                               makePdf({PdfPage{}, PdfPage{300, 300, 0, 0, 10, 10, 0, 1, 0}, PdfPage{}}, "Secret Title"));
    auto store = BlobStore::open(dir / "blobs");
    REQUIRE(store.ok());
    BuildOptions options;
    options.captions = {{"talk.pdf", "Didactic"}, {jpg.string(), "Lab table"}};
    auto r = buildDeck({png, pdf, jpg}, options, *store);
    REQUIRE(r.ok());
    REQUIRE(r->ok());
    const auto& slides = r->manifest.slides;
    REQUIRE(slides.size() == 5);
    CHECK(slides[0].kind == SlideKind::Photo);
    CHECK(slides[0].caption == "Slide 1");
    for (int p = 1; p <= 3; ++p) {
        CHECK(slides[static_cast<std::size_t>(p)].kind == SlideKind::PdfPage);
        CHECK(slides[static_cast<std::size_t>(p)].width == 2048);
        CHECK(slides[static_cast<std::size_t>(p)].caption == "Didactic, page " + std::to_string(p));
    }
    CHECK(slides[1].height == 1024); // 200x100 pt at 2048 px wide
    CHECK(slides[2].height == 2048); // 300x300 pt
    CHECK(slides[4].caption == "Lab table");
    const std::string report = joined(r->files[0].stripped) + joined(r->files[1].stripped) + joined(r->files[2].stripped);
    INFO(report);
    CHECK_THAT(report, Catch::Contains("removed tEXt (31 bytes)"));
    CHECK_THAT(report, Catch::Contains("removed APP1 Exif"));
    CHECK_THAT(report, Catch::Contains("Info keys [Author, Title]"));
    CHECK(report.find("Secret") == std::string::npos);
    for (const auto& blob : allBlobs(*store)) CHECK_FALSE(contains(blob, "Secret"));
    // Directory inputs: regular files sorted by name.
    auto listed = listDeckInputs(dir);
    REQUIRE(listed.ok());
    std::vector<std::string> names;
    for (const auto& p : *listed) names.push_back(p.filename().string());
    CHECK(names == std::vector<std::string>{"a-photo.jpg", "talk.pdf", "z-photo.png"});
}

TEST_CASE("deck build: PHI in a caption, a file name or a PDF page refuses the file, naming field, span and kind",
          "[deck][phi]") {
    const auto dir = scratchDir("deck_phi");
    Bytes px(16 * 8 * 3, 200);
    const auto png = writeTemp(dir, "ecg.png", makePng(16, 8, 3, 8, px));
    const auto pdf = writeTemp(dir, "talk.pdf",
                               makePdfWithText({PdfPage{}, PdfPage{}}, {"", "Questions to the spoke: call 555-201-7734"}));
    const auto named = writeTemp(dir, "ct 2024-03-14.png", makePng(16, 8, 3, 8, px));
    auto store = BlobStore::open(dir / "blobs");
    REQUIRE(store.ok());
    BuildOptions options;
    options.captions = {{"ecg.png", "ECG, MRN 00451237"}, {"talk.pdf", "Didactic"}};
    auto r = buildDeck({png, pdf, named}, options, *store);
    REQUIRE(r.ok());
    CHECK_FALSE(r->ok());
    REQUIRE(r->files.size() == 3);
    const std::string caption = joined(r->files[0].refusals);
    const std::string page = joined(r->files[1].refusals);
    const std::string name = joined(r->files[2].refusals);
    INFO(caption << page << name);
    CHECK_THAT(caption, Catch::Contains(png.string() + ": caption: possible PHI (mrn) at bytes 9-17"));
    CHECK_THAT(page, Catch::Contains(pdf.string() + ": pdf page 2: possible PHI (phone) at bytes"));
    CHECK(page.find("pdf page 1") == std::string::npos);
    CHECK_THAT(name, Catch::Contains(": file name: possible PHI (date) at bytes 3-13"));
    for (const std::string& report : {caption, page, name}) {
        CHECK(report.find("00451237") == std::string::npos); // kind and span, never the text
        CHECK(report.find("555-201-7734") == std::string::npos);
    }
    CHECK(allBlobs(*store).empty()); // refused before anything was converted or stored

    // --allow-phi REASON: built, every finding and the reason in the notes.
    options.allowPhi = "synthetic teaching numbers";
    auto allowed = buildDeck({png, pdf, named}, options, *store);
    REQUIRE(allowed.ok());
    REQUIRE(allowed->ok());
    CHECK(allowed->manifest.slides.size() == 4);
    const std::string notes = joined(allowed->files[0].notes) + joined(allowed->files[1].notes);
    CHECK_THAT(notes, Catch::Contains("caption: possible PHI (mrn)"));
    CHECK_THAT(notes, Catch::Contains("pdf page 2: PHI screen findings accepted with --allow-phi: synthetic teaching numbers"));

    // A PHI-free build has no such notes; a title with PHI refuses the deck.
    BuildOptions clean;
    clean.captions = {{"ecg.png", "ECG at presentation"}};
    auto ok = buildDeck({png}, clean, *store);
    REQUIRE(ok.ok());
    CHECK(ok->ok());
    CHECK(ok->files[0].notes.empty());
    clean.title = "Case of Mrs. Jones";
    auto titled = buildDeck({png}, clean, *store);
    REQUIRE(titled.ok());
    CHECK_FALSE(titled->ok());
    CHECK_THAT(titled->error, Catch::Contains("title: possible PHI (name)"));
}

TEST_CASE("deidentify: scrubDicom removes the findings and keeps Pixel Data byte for byte", "[deck]") {
    DicomSpec spec = identifiedCt();
    spec.frames = 2;
    spec.values.insert(spec.values.end(), spec.values.begin(), spec.values.end());
    const Bytes in = makeDicom(spec);
    ScrubOptions options;
    options.uidKey.fill(7);
    auto out = scrubDicom(in, "in.dcm", options);
    REQUIRE(out.ok());
    INFO(joined(out->actions));
    CHECK_THAT(joined(out->actions), Catch::Contains("(0010,0010) PatientName (Z): emptied"));
    CHECK_THAT(joined(out->actions), Catch::Contains("(0009,1001) private tag (X): removed"));
    CHECK_THAT(joined(out->actions), Catch::Contains("(0008,0018) SOPInstanceUID (U): replaced by a new UID"));
    for (const auto& v : kPhi) CHECK_FALSE(contains(out->bytes, v));
    // Screened again: nothing left (the new UIDs are the scrub's own).
    auto again = screenDicom(out->bytes, "out.dcm");
    REQUIRE(again.ok());
    std::string left;
    for (const auto& f : again->findings) left += f.describe() + "\n";
    CHECK(left.empty());
    // Pixel Data: the same bytes.
    const auto pixelData = [](const Bytes& b) {
        std::vector<DicomElementRef> els;
        auto framing = checkDicomFraming(b, "x", &els);
        REQUIRE(framing.ok());
        for (const auto& e : els)
            if (e.tag == 0x7fe00010 && e.depth == 0) return Bytes(b.begin() + static_cast<std::ptrdiff_t>(e.begin), b.begin() + static_cast<std::ptrdiff_t>(e.end));
        FAIL("no pixel data");
        return Bytes{};
    };
    CHECK(pixelData(out->bytes) == pixelData(in));
    // And GDCM decodes the same pixels; the same key gives the same UIDs.
    auto a = decodeImage(in, "in.dcm");
    auto b = decodeImage(out->bytes, "out.dcm");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->pixels == b->pixels);
    CHECK(a->window == b->window);
    auto twice = scrubDicom(in, "in.dcm", options);
    REQUIRE(twice.ok());
    CHECK(twice->bytes == out->bytes);
    // Malformed input: an error naming the file.
    CHECK_THAT(scrubDicom(Bytes(in.begin(), in.begin() + 200), "cut.dcm", options).error().message,
               Catch::StartsWith("cut.dcm: "));
}

TEST_CASE("deidentify: a name nested in a sequence the table does not name is found, and scrub drops the sequence",
          "[deck]") {
    if (!haveTool("dcmodify")) {
        WARN("dcmodify (DCMTK) not installed: nested-sequence case skipped");
        return;
    }
    const auto dir = scratchDir("deck_nested");
    DicomSpec spec;
    spec.values.assign(16, 40);
    const auto file = dir / "nested.dcm";
    writeAll(file, makeDicom(spec));
    // DCMTK writes the sequence and item with explicit lengths: the walk must descend into them.
    REQUIRE(run("dcmodify -nb -i '(0008,1115)[0].(0008,1070)=DOE^OPERATOR' '" + file.string() + "' >/dev/null 2>&1") == 0);
    const Bytes in = readAll(file);
    REQUIRE(contains(in, "DOE^OPERATOR"));
    auto screen = screenDicom(in, "nested.dcm");
    REQUIRE(screen.ok());
    std::string all;
    for (const auto& f : screen->findings) all += f.describe() + "\n";
    INFO(all);
    CHECK_THAT(all, Catch::Contains("(0008,1070) OperatorsName: PN, 12 bytes (Table E.1-1 action X/Z/D) in (0008,1115)"));
    ScrubOptions options;
    auto out = scrubDicom(in, "nested.dcm", options);
    REQUIRE(out.ok());
    CHECK_THAT(joined(out->actions), Catch::Contains("(0008,1115) sequence holding (0008,1070) OperatorsName: removed"));
    CHECK_FALSE(contains(out->bytes, "DOE^OPERATOR"));
    auto again = screenDicom(out->bytes, "out.dcm");
    REQUIRE(again.ok());
    CHECK(again->findings.empty());
}
