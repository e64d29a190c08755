// caseroom_deck_fixtures DIR: writes the inputs of deck_tool_test.sh, made at
// test time with the libraries' own writers (fixtures.h):
//   ct.dcm     signed 16-bit CT with PatientName DOE^JANE, PatientID MRN-4471,
//              InstitutionName St Elsewhere Clinic and a private tag
//   us.dcm     ultrasound without Burned In Annotation
//   photo.png  with a tEXt chunk "Secret note"; photo.jpg with EXIF "Secret GPS"
//   talk.pdf   three pages, Info /Title and /Author "Secret Title"
#include "fixtures.h"

#include <cstdio>

using namespace caseroom::media;
using namespace caseroom::media::testkit;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: caseroom_deck_fixtures DIR\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    DicomSpec ct;
    ct.width = 16;
    ct.height = 12;
    ct.slope = 1;
    ct.intercept = -1024;
    ct.window = Window{40, 400};
    for (std::uint32_t i = 0; i < ct.width * ct.height; ++i) ct.values.push_back(static_cast<std::int32_t>(i * 29 % 2000) - 500);
    ct.extra = {{0x0010, 0x0010, "PN", "DOE^JANE"}, {0x0010, 0x0020, "LO", "MRN-4471"},
                {0x0008, 0x0080, "LO", "St Elsewhere Clinic"}, {0x0009, 0x0010, "LO", "ACME 1.0"},
                {0x0009, 0x1001, "LO", "ACME-PRIVATE-VALUE"}};
    writeAll(dir / "ct.dcm", makeDicom(ct));
    DicomSpec us;
    us.bits = 8;
    us.isSigned = false;
    us.modality = "US";
    us.sopClassUid = "1.2.840.10008.5.1.4.1.1.6.1";
    us.values.assign(16, 9);
    writeAll(dir / "us.dcm", makeDicom(us));
    Bytes px(24 * 16 * 3);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 11);
    writeAll(dir / "photo.png", insertPngChunk(makePng(24, 16, 3, 8, px), "tEXt", std::string("Comment\0Secret note", 19)));
    writeAll(dir / "photo.jpg", insertJpegSegment(makeJpeg(24, 16, 3, px, 90), 0xe1, std::string("Exif\0\0Secret GPS", 17)));
    writeAll(dir / "talk.pdf", makePdf({PdfPage{}, PdfPage{}, PdfPage{}}, "Secret Title"));
    return 0;
}
