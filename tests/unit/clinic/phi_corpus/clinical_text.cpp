// Clean clinical sentences by programme and field. Every template here must
// stay free of identifiers: no person names (eponyms such as Child-Pugh are
// clinical words, kept on purpose), no dates finer than a year, no ages over
// 89, no place smaller than a state. Numbers are everywhere, on purpose:
// the screen has to leave them alone.
// [SECTION] template expansion  [SECTION] shared pools  [SECTION] programmes  [SECTION] assembly
#include "clinical_text.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace caseroom::clinic::phi_corpus {
namespace {

using Pool = std::vector<std::string_view>;

std::string_view pickOne(core::Rng& rng, const Pool& pool) { return pool[rng.below(static_cast<std::uint32_t>(pool.size()))]; }

// [SECTION] template expansion
long long toInt(std::string_view s) {
    long long v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

double toDouble(std::string_view s) {
    double v = 0, scale = 0;
    for (char c : s) {
        if (c == '.') { scale = 1; continue; }
        v = v * 10 + (c - '0');
        if (scale > 0) scale *= 10;
    }
    return scale > 0 ? v / scale : v;
}

std::string withCommas(long long v) {
    std::string digits = std::to_string(v), out;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[i];
        if (i + 1 < n && (n - i - 1) % 3 == 0) out += ',';
    }
    return out;
}

std::string expandToken(core::Rng& rng, std::string_view tok) {
    if (tok == "age") return std::to_string(rng.range(18, 89));
    if (tok == "year") return std::to_string(rng.range(1990, 2025));
    const auto colon = tok.find(':');
    if (colon == std::string_view::npos || colon != 1) return "{" + std::string(tok) + "}";
    const char kind = tok[0];
    std::string_view rest = tok.substr(2);
    if (kind == 'p') {
        std::vector<std::string_view> choices;
        std::size_t start = 0;
        for (std::size_t i = 0; i <= rest.size(); ++i) {
            if (i == rest.size() || rest[i] == '|') { choices.push_back(rest.substr(start, i - start)); start = i + 1; }
        }
        return std::string(choices[rng.below(static_cast<std::uint32_t>(choices.size()))]);
    }
    const auto dash = rest.find('-');
    const auto colon2 = rest.find(':', dash);
    const std::string_view lo = rest.substr(0, dash);
    const std::string_view hi = rest.substr(dash + 1, colon2 == std::string_view::npos ? std::string_view::npos : colon2 - dash - 1);
    if (kind == 'i' || kind == 'c') {
        const long long v = rng.range(toInt(lo), toInt(hi));
        return kind == 'i' ? std::to_string(v) : withCommas(v);
    }
    if (kind == 'f') {
        const int places = colon2 == std::string_view::npos ? 1 : static_cast<int>(toInt(rest.substr(colon2 + 1)));
        const double v = toDouble(lo) + rng.uniform() * (toDouble(hi) - toDouble(lo));
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.*f", places, v);
        return buf;
    }
    return "{" + std::string(tok) + "}";
}

// [SECTION] shared pools
const Pool kAgeSex = {
    "{age} yo {p:M|F}", "{age} y/o {p:male|female}", "{age}-year-old {p:man|woman}", "{age} yo {p:man|woman}",
    "{age}M", "{age}F", "a {age} year old {p:man|woman}", "{age} yr old {p:M|F}",
};

const Pool kSocialCommon = {
    "Lives with {p:spouse|partner|adult son|two grandchildren|her mother} in a rural community about {i:20-190} miles from the nearest hospital.",
    "Smokes {f:0.5-2.0:1} ppd, {i:5-60} pack-years; interested in quitting.",
    "Former smoker, quit in {year}.",
    "Drinks {i:1-8} beers a day on weekends; AUDIT-C {i:1-12}.",
    "No alcohol since {year}.",
    "Works as a {p:ranch hand|school bus driver|cook|home health aide|construction worker|silversmith|teacher} and misses work for appointments.",
    "Unemployed for {i:2-18} months; covered by Medicaid.",
    "Has Medicare Part D; copays for insulin are a barrier.",
    "Unhoused for {i:2-11} months, now in transitional housing.",
    "Has {i:1-6} children, the youngest {i:2-17} years old.",
    "Travels {i:1-4} hours each way to the clinic; no reliable transport in winter.",
    "Speaks {p:Navajo|Spanish|Vietnamese|Tewa|Yoruba|Keres} at home; an interpreter joins visits.",
    "Attends {i:1-4} support group meetings a week.",
    "Completed {p:high school|two years of college|8th grade|a GED}; reads at a {i:4-8}th grade level per the team.",
    "No firearms in the home.",
    "Incarcerated for {i:2-60} months, released {i:1-11} months ago.",
    "Cares for a disabled spouse; sleeps {i:3-6} h a night.",
    "Uses a cell phone with limited minutes; texting works best.",
    "Lives on tribal land; the clinic is run by the tribe under a 638 contract.",
    "Grows corn and squash; food insecurity screen positive.",
};

// Words that cue identifiers elsewhere ("account", "record", "serial",
// "license", "street", "PO", "plate", "fax", "phone") used as clinical text
// uses them, and codes and mutations that look like serial numbers.
const Pool kHistoryCommon = {
    "Pt: {AGE}, {p:HCV|OUD|T2DM|HIV|chronic pain}, {p:new|returning} to the ECHO.",
    "Patient: {AGE}; see the history below.",
    "Taking into account the eGFR of {i:25-60}, doses were adjusted.",
    "Medical record reviewed: no prior {p:HCV|HIV|hepatitis B} testing.",
    "Chart review: {i:2-6} prior ED visits.",
    "Serial {p:ECGs|lactates|troponins} every {i:4-8} h were normal.",
    "Serial FibroScans: {f:8.0-20.0:1} and then {f:6.0-15.0:1} kPa.",
    "Lost his driver's license after {p:seizures|a DUI|syncope}.",
    "Bought pills on the street for {i:1-9} years.",
    "Results will be faxed to the PCP.",
    "Phone visit planned in {i:2-4} weeks.",
    "Device check normal, battery {i:3-11} years.",
    "Plate-like atelectasis on the CXR.",
    "Dx code {p:B18.2|F11.20|E11.65|B20|G30.9|J45.40|K74.60|M79.7}.",
    "HIV genotype {p:K103N, Y181C|M184V|Q148H, G140S|none}; HLA-B*5701 negative.",
    "Strength {i:3-5}/5 in both legs, reflexes 2+.",
    "Vision 20/{p:20|30|40|70} on the last check.",
    "Pill count: doses taken {i:4-6}/7 days.",
    "Available to the care team 24/7 by text.",
    "Black box warning reviewed with the patient.",
    "HCV RNA {i:10000-99999} IU/mL on the screen.",
    "Walks {i:10000-19000} steps a day on the pedometer.",
    "Goals of care addressed with the family.",
    "Told to call 911 for chest pain; given the 988 crisis line.",
    "Dispensed a 90-day supply by mail order.",
    "SpO2 {i:88-99}% on room air, HR {i:90-124}, RR {i:14-24}.",
    "A {i:85-89}-year-old relative also has diabetes.",
    "Echo: EF {i:30-65}%, {p:mild|moderate} MR, no AS.",
    "Takes St. John's wort and turmeric from the health food store.",
    "Skin tag removed at the last visit.",
    "A family member brings {p:her|him} to every visit.",
    "Seen in the Emergency Department twice; Primary Care follows monthly.",
    "Care Coordinator at the spoke arranges the rides.",
};

const Pool kQuestionCommon = {
    "What would the hub recommend as next steps?",
    "Would you change anything in the current plan?",
    "Is there anything we are missing in the work-up?",
    "How often should we see this patient over the next {i:2-6} months?",
    "Which labs should we repeat, and when?",
    "Would you refer to a specialist at this point, given the {i:2-6} hour drive?",
};

// [SECTION] programmes
struct Program {
    std::string_view name;
    Pool cc, history, meds, labs, social, question;
};

const std::vector<Program>& programs() {
    static const std::vector<Program> kPrograms = {
        {"hepatitis C",
         {"{AGE} with chronic HCV, treatment naive, referred for DAA therapy.",
          "{AGE} with HCV genotype {p:1a|1b|2|3|4}, cirrhosis suspected.",
          "Chronic hepatitis C, F{i:0-4} on elastography, wants treatment.",
          "{AGE}, HCV RNA positive, prior interferon failure in {year}."},
         {"HCV antibody positive in {year}, RNA confirmed {i:2-11} months later.",
          "Genotype {p:1a|1b|2|3a|4}, HCV RNA {c:15000-9800000} IU/mL.",
          "FibroScan {f:4.0-38.0:1} kPa, CAP {i:190-360} dB/m, consistent with F{i:0-4}.",
          "FIB-4 {f:0.6-6.5:2}, APRI {f:0.2-3.5:2}.",
          "Child-Pugh {p:A5|A6|B7|B8}, MELD {i:6-22}.",
          "No history of variceal bleeding; EGD in {year} showed small varices.",
          "Prior treatment with pegylated interferon and ribavirin x {i:12-48} weeks, relapsed.",
          "Ultrasound {i:4-11} months ago: nodular liver, no focal lesion, spleen {f:10.0-17.0:1} cm.",
          "Symptoms for 3/12: fatigue and pruritus.",
          "Hepatitis B sAg negative, anti-HBs {i:0-250} mIU/mL, anti-HBc negative.",
          "HIV negative, tested {i:2-11} months ago.",
          "Week {p:4|8|12} HCV RNA {p:undetectable|<15 IU/mL|not done}."},
         {"sofosbuvir/velpatasvir 400/100 mg daily x 12 weeks planned.",
          "glecaprevir/pibrentasvir 100/40 mg, 3 tablets daily with food x 8 weeks.",
          "omeprazole 20 mg daily (interaction reviewed).",
          "propranolol 20 mg BID.",
          "spironolactone 100 mg and furosemide 40 mg PO daily (loop diuretic held twice for AKI).",
          "lactulose 20 g TID titrated to 2-3 BMs/day."},
         {"ALT {i:20-260} U/L, AST {i:18-240} U/L, ALP {i:50-300} U/L, T bili {f:0.3-3.5:1} mg/dL.",
          "Albumin {f:2.4-4.9:1} g/dL, INR {f:0.9-2.1:1}, Plt {i:45-380} x10^9/L.",
          "Cr {f:0.5-2.8:2} mg/dL, eGFR {i:25-120} mL/min/1.73m2.",
          "AFP {f:1.5-25.0:1} ng/mL.",
          "Hb {f:9.0-16.5:1} g/dL, WBC {f:2.5-11.0:1}, Na {i:128-144}, K {f:3.2-5.4:1}."},
         {"Injected heroin {i:2-20} years, last use {i:1-15} years ago.",
          "On methadone {i:40-140} mg daily through the OTP.",
          "Tattoos done in prison in {year}."},
         {"Would you treat now with sofosbuvir/velpatasvir or wait for the Child-Pugh score to improve?",
          "Is 8 weeks of glecaprevir/pibrentasvir enough with F{i:2-4}?",
          "Should we screen for HCC every 6 months after SVR12?",
          "How should we handle the PPI during DAA treatment?"}},
        {"opioid use disorder",
         {"{AGE} with severe OUD (fentanyl), seeking buprenorphine induction.",
          "{AGE} on buprenorphine {i:8-24} mg/day, ongoing fentanyl use.",
          "{AGE}, OUD in sustained remission on methadone, new chronic pain."},
         {"Uses {i:5-40} fentanyl pills a day, smoked; last use {i:6-72} h before visit.",
          "COWS {i:4-24} at the start of induction.",
          "Induction with buprenorphine/naloxone 8/2 mg, then 16/4 mg on day 2.",
          "Two overdoses in the last 2/12, both reversed with naloxone.",
          "UDS positive for {p:fentanyl|methamphetamine|cannabinoids|benzodiazepines}, buprenorphine present.",
          "Prior treatment: {i:1-6} detox admissions since {year}.",
          "PHQ-9 {i:3-24}, GAD-7 {i:2-20}; no suicidal ideation today.",
          "Hepatitis C antibody positive, RNA pending.",
          "Precipitated withdrawal on a previous attempt in {year}.",
          "Pregnant, {i:6-34} weeks by ultrasound."},
         {"buprenorphine/naloxone 8/2 mg film, 2 films SL daily.",
          "buprenorphine ER 300 mg SC monthly x {i:2-6} doses, then 100 mg.",
          "methadone {i:30-150} mg daily, observed.",
          "naloxone 4 mg nasal spray x 2 dispensed.",
          "naltrexone 380 mg IM every 4 weeks.",
          "clonidine 0.1 mg PO q6h PRN withdrawal."},
         {"UDS: fentanyl +, norfentanyl +, buprenorphine +, amphetamine {p:+|-}.",
          "AST {i:15-90}, ALT {i:12-110}, HCV Ab {p:reactive|nonreactive}, HIV nonreactive.",
          "QTc {i:410-510} ms on ECG.",
          "hCG {p:negative|positive}."},
         {"Uses alone most days; fentanyl test strips given.",
          "Lost custody of {i:1-3} children in {year}, working on reunification.",
          "Partner also uses; both enrolled in the clinic."},
         {"How would you manage induction with fentanyl on board: low-dose overlap or standard?",
          "Would you increase to 24 mg or switch to the monthly injection?",
          "How do we manage acute pain after surgery on buprenorphine {i:12-24} mg?"}},
        {"diabetes",
         {"{AGE} with type 2 diabetes, A1c {f:8.0-13.5:1}% despite metformin.",
          "{AGE}, T2DM x {i:2-30} years, recurrent hypoglycaemia on insulin.",
          "Type 1 diabetes since age {i:4-30}, new pump start."},
         {"HbA1c {f:6.1-13.9:1}% today, {f:6.1-13.9:1}% a year ago.",
          "Diagnosed in {year}; retinopathy on the last eye exam.",
          "Home glucose {i:90-350} mg/dL fasting, rarely checks after meals.",
          "Time in range {i:20-85}% on CGM, time below range {i:1-9}%.",
          "Neuropathy: monofilament {i:4-10}/10 sites felt.",
          "Foot ulcer on the left hallux for 2/52, probing to bone negative.",
          "BMI {f:24.0-46.0:1}, weight {i:60-160} kg, down {i:2-15} kg since {year}.",
          "BP {i:118-178}/{i:62-104} on {i:1-4} agents.",
          "Had DKA in {year}, one ED visit for hypoglycaemia this year."},
         {"metformin 1000 mg PO BID.",
          "insulin glargine {i:10-80} units qHS, lispro {i:4-20} units with meals.",
          "semaglutide {p:0.25|0.5|1|2} mg SC weekly.",
          "empagliflozin 10 mg daily.",
          "lisinopril {i:5-40} mg, atorvastatin {i:10-80} mg daily.",
          "glipizide 5 mg BID (stopped 1/12 ago for lows)."},
         {"HbA1c {f:6.1-13.9:1}%, fasting glucose {i:80-320} mg/dL.",
          "LDL {i:60-190} mg/dL, HDL {i:25-70}, TG {i:90-600}.",
          "UACR {i:5-2400} mg/g, Cr {f:0.6-2.5:2}, eGFR {i:20-110}.",
          "TSH {f:0.4-6.0:2} mIU/L, B12 {i:180-900} pg/mL."},
         {"Eats one meal a day at work; relies on the food bank.",
          "Walks {i:10-60} minutes most days."},
         {"Would you add a GLP-1 RA or intensify basal insulin first?",
          "How would you adjust insulin with time below range at {i:4-12}%?",
          "Is an SGLT2 inhibitor safe with eGFR {i:20-45}?"}},
        {"HIV",
         {"{AGE} with HIV, new diagnosis, CD4 {i:20-650}.",
          "{AGE}, HIV on ART since {year}, viral load rebound.",
          "{AGE}, HIV and latent TB, starting treatment."},
         {"Diagnosed in {year}; nadir CD4 {i:10-450} cells/mm3.",
          "Viral load {c:50-850000} copies/mL on the last two checks.",
          "Genotype: M184V, K103N; no integrase mutations.",
          "Missed doses {i:2-10} days a month; pharmacy refill gaps.",
          "IGRA positive, CXR clear.",
          "Syphilis RPR 1:{p:8|16|32|64}, treated x 3 weekly doses.",
          "Kaposi sarcoma lesions on both shins, biopsy confirmed.",
          "ART through the Ryan White program; ADAP covers the copays.",
          "HLA-B*5701 negative.",
          "PrEP for partner discussed; partner tested negative 1/12 ago."},
         {"bictegravir/emtricitabine/tenofovir alafenamide 50/200/25 mg daily.",
          "dolutegravir 50 mg plus tenofovir/lamivudine daily.",
          "TMP-SMX DS 1 tab daily for PJP prophylaxis.",
          "isoniazid 300 mg with pyridoxine 25 mg daily x 9 months.",
          "cabotegravir/rilpivirine 600/900 mg IM every 2 months."},
         {"CD4 {i:20-1200} cells/mm3 ({i:2-45}%), VL {p:<20|<50|{c:60-400000}} copies/mL.",
          "Cr {f:0.6-1.9:2}, ALT {i:12-120}, HBsAg {p:negative|positive}.",
          "Lipids: TC {i:120-280}, LDL {i:60-190}."},
         {"Disclosed status to one sibling only.",
          "Works nights; takes ART at {p:6|7|8} am after shift."},
         {"Would you switch to long-acting cabotegravir/rilpivirine given adherence?",
          "How would you manage the rebound with M184V present?",
          "When should we start ART relative to TB treatment?"}},
        {"chronic pain",
         {"{AGE} with chronic low back pain on {i:60-300} MME/day.",
          "{AGE}, fibromyalgia and opioid tapering request.",
          "{AGE} with diabetic neuropathy pain, poor sleep."},
         {"Pain {i:4-10}/10 most days, {i:2-8}/10 at best.",
          "PEG score {f:3.0-9.5:1}.",
          "On opioids since {year} after a fall at work.",
          "MRI L-spine in {year}: L4-5 disc bulge, no stenosis.",
          "Tapering by {i:5-10}% every 4 weeks; at week {i:2-20} now.",
          "PHQ-9 {i:5-24}; sleep {i:3-6} h a night.",
          "PDMP reviewed: one prescriber, one pharmacy.",
          "Physical therapy x {i:4-16} sessions with some benefit."},
         {"oxycodone {p:5|10|15} mg q6h PRN (MME {i:30-240}/day).",
          "morphine ER {i:15-60} mg BID.",
          "gabapentin {i:300-1200} mg TID.",
          "duloxetine {i:30-120} mg daily.",
          "naloxone 4 mg nasal spray at home.",
          "meloxicam 15 mg daily with food.",
          "Takes {i:2-4} Aleve a day on top of the prescribed regimen."},
         {"Cr {f:0.6-1.8:2}, ALT {i:10-80}, UDS consistent with prescribed.",
          "Vitamin D {i:8-45} ng/mL, ESR {i:2-60} mm/h, CRP {f:0.1-4.5:1} mg/dL."},
         {"On disability since {year}.",
          "Lives alone; daughter visits on weekends."},
         {"How fast can we taper from {i:90-300} MME without destabilising?",
          "Would you rotate to buprenorphine for pain?",
          "What non-opioid options are realistic given the distance to PT?"}},
        {"dementia",
         {"{AGE} with progressive memory loss over 2 years.",
          "{AGE}, mixed dementia, new agitation at night.",
          "{AGE} with Alzheimer disease, caregiver burnout."},
         {"MoCA {i:8-25}/30, MMSE {i:10-27}/30.",
          "Gets lost driving; family took the keys in {year}.",
          "Sundowning for 3/12; hallucinations {p:none|occasional|nightly}.",
          "CT head in {year}: small vessel disease, no bleed.",
          "Falls x {i:1-6} in the past 6 months.",
          "Age band 80-89 on the form; lives with family.",
          "Age band: 90+.",
          "Parkinsonism: mild rigidity, no tremor.",
          "Lewy body features: fluctuations and visual hallucinations.",
          "Thiamine given for possible Wernicke encephalopathy.",
          "Weight down {i:2-10} kg in {i:3-11} months."},
         {"donepezil {p:5|10|23} mg qHS.",
          "memantine {i:5-10} mg BID.",
          "sertraline {i:25-150} mg daily.",
          "quetiapine 12.5 mg qHS PRN (started 2/52 ago).",
          "melatonin 3 mg qHS."},
         {"B12 {i:150-900} pg/mL, folate {f:2.0-20.0:1}, TSH {f:0.4-6.5:2}.",
          "Na {i:128-145}, Ca {f:8.4-10.8:1}, Cr {f:0.6-1.9:2}.",
          "RPR nonreactive, HIV negative."},
         {"Son is the main caregiver and works full time.",
          "Adult day program {i:2-5} days a week."},
         {"Is the quetiapine reasonable, or should we stop it?",
          "Would you continue donepezil with the bradycardia at {i:44-56} bpm?",
          "How do we support the caregiver with {i:2-4} hours of respite a week?"}},
        {"pediatric asthma",
         {"{i:3-16} yo {p:boy|girl} with persistent asthma, {i:2-6} ED visits this year.",
          "{i:2-12} year old with wheeze since infancy, poor control.",
          "{i:6-16} yo with asthma and frequent school absences."},
         {"Asthma Control Test {i:8-25}; night symptoms {i:1-7} nights/week.",
          "FEV1 {i:55-100}% predicted, FEV1/FVC {f:0.60-0.90:2}, +{i:8-25}% after albuterol.",
          "Peak flow {i:120-420} L/min, personal best {i:200-450}.",
          "Oral steroids x {i:1-6} courses in 12 months.",
          "Eczema and allergic rhinitis; no food allergy.",
          "PICU admission in {year}, not intubated.",
          "Spacer technique poor on observation.",
          "Weight {f:12.0-70.0:1} kg ({i:5-97}th percentile)."},
         {"fluticasone {p:44|110|220} mcg 2 puffs BID with spacer.",
          "budesonide/formoterol 80/4.5 mcg 2 puffs BID and PRN.",
          "albuterol 90 mcg 2-4 puffs q4h PRN.",
          "montelukast {p:4|5|10} mg qHS.",
          "prednisolone 1 mg/kg x 5 days for flares."},
         {"Eosinophils {i:100-1200} cells/uL, total IgE {i:30-1500} IU/mL.",
          "Skin prick: dust mite +, cat +, mould {p:+|-}."},
         {"Wood stove at home; mother smokes outside.",
          "Misses {i:2-30} school days a year; school nurse has the action plan."},
         {"Step up to medium-dose ICS or add a LAMA?",
          "Would this child qualify for a biologic with eosinophils at {i:150-900}?",
          "How do we improve adherence when the inhaler is shared between 2 homes?"}},
    };
    return kPrograms;
}

// [SECTION] assembly
void addSome(core::Rng& rng, std::vector<std::string>& out, const Pool& a, const Pool& b, int lo, int hi) {
    // Each template at most once per field (two "Skin prick" lines read wrong).
    std::vector<std::string_view> used;
    const int n = static_cast<int>(rng.range(lo, hi));
    for (int i = 0; i < n; ++i) {
        const Pool& pool = (b.empty() || rng.chance(0.75)) ? a : b;
        const std::string_view tpl = pickOne(rng, pool);
        if (std::find(used.begin(), used.end(), tpl) != used.end()) continue;
        used.push_back(tpl);
        out.push_back(expand(rng, tpl));
    }
}

} // namespace

std::string expand(core::Rng& rng, std::string_view tpl) {
    std::string out;
    std::size_t i = 0;
    while (i < tpl.size()) {
        if (tpl[i] == '{') {
            // The closing brace of this token (a {p:...} choice may hold one nested token).
            std::size_t depth = 0, j = i;
            for (; j < tpl.size(); ++j) {
                if (tpl[j] == '{') ++depth;
                else if (tpl[j] == '}' && --depth == 0) break;
            }
            if (j >= tpl.size()) { out.append(tpl.substr(i)); break; }
            const std::string_view tok = tpl.substr(i + 1, j - i - 1);
            if (tok == "AGE") out += expand(rng, pickOne(rng, kAgeSex));
            else {
                const std::string once = expandToken(rng, tok);
                out += once.find('{') != std::string::npos ? expand(rng, once) : once;
            }
            i = j + 1;
        } else {
            out += tpl[i++];
        }
    }
    return out;
}

const std::vector<std::string_view>& fieldNames() {
    static const std::vector<std::string_view> kNames = {kFieldChiefComplaint, kFieldHistory, kFieldMedications,
                                                         kFieldLabs, kFieldSocial, kFieldQuestion};
    return kNames;
}

CleanCase cleanCase(core::Rng& rng) {
    const auto& all = programs();
    const Program& p = all[rng.below(static_cast<std::uint32_t>(all.size()))];
    CleanCase c;
    c.program = std::string(p.name);
    c.fields.resize(fieldNames().size());
    c.fields[0].push_back(expand(rng, pickOne(rng, p.cc)));
    if (char& first = c.fields[0][0][0]; first >= 'a' && first <= 'z') first = static_cast<char>(first - 32);
    addSome(rng, c.fields[1], p.history, kHistoryCommon, 3, 6);
    addSome(rng, c.fields[2], p.meds, {}, 1, 4);
    addSome(rng, c.fields[3], p.labs, {}, 1, 3);
    addSome(rng, c.fields[4], kSocialCommon, p.social, 1, 3);
    addSome(rng, c.fields[5], p.question, kQuestionCommon, 1, 2);
    return c;
}

} // namespace caseroom::clinic::phi_corpus
