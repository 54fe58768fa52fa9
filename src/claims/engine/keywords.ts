import type { Category } from './types.js';

// The default keyword tables. They live with the terms: a terms document may carry its own in its
// `adjudication` block (seeds/policy-terms/PLUM_OPD_2024.json does), and these fill whatever it leaves out.
// Matching is on whole words of normalised text (lower case, punctuation as spaces), so 'war' never matches
// 'forward' and 'ct' never matches 'doctor'.

export const DEFAULT_CATEGORY_KEYWORDS: Record<Category, readonly string[]> = {
  consultation: ['consultation', 'consultation fee', 'consult', 'doctor fee', 'doctor fees', 'opd fee',
    'visit', 'follow up', 'followup', 'registration fee'],
  diagnostic: ['diagnostic', 'diagnostics', 'diagnostic tests', 'test', 'tests', 'lab', 'laboratory', 'pathology',
    'radiology', 'blood test', 'blood', 'urine', 'x ray', 'xray', 'ecg', 'ekg', 'ultrasound', 'usg', 'sonography',
    'mri', 'ct', 'ct scan', 'scan', 'cbc', 'lipid', 'thyroid', 'tsh', 'hba1c', 'glucose', 'sugar', 'dengue',
    'malaria', 'widal', 'culture', 'biopsy', 'echo', 'tmt', 'report'],
  pharmacy: ['medicine', 'medicines', 'medication', 'pharmacy', 'drug', 'drugs', 'tablet', 'tablets', 'capsule',
    'capsules', 'syrup', 'ointment', 'injection', 'chemist', 'branded medicines', 'generic medicines'],
  dental: ['dental', 'dentist', 'tooth', 'teeth', 'root canal', 'rct', 'filling', 'extraction', 'scaling',
    'cleaning', 'oral prophylaxis', 'whitening', 'braces', 'orthodontic', 'implant', 'crown', 'denture', 'veneer',
    'gum', 'caries'],
  vision: ['eye', 'eyes', 'vision', 'eye test', 'spectacles', 'glasses', 'contact lens', 'contact lenses',
    'lens', 'lenses', 'optical', 'optometry', 'refraction', 'lasik', 'ophthalmic'],
  alternative_medicine: ['ayurveda', 'ayurvedic', 'homeopathy', 'homoeopathy', 'homeopathic', 'homoeopathic', 'unani',
    'panchakarma', 'abhyanga', 'shirodhara', 'siddha', 'naturopathy', 'acupuncture', 'acupressure'],
};

/** Which covered alternative-medicine system a text names; unlisted systems are refused by the exclusions. */
export const ALTERNATIVE_SYSTEM_KEYWORDS: Record<string, readonly string[]> = {
  ayurveda: ['ayurveda', 'ayurvedic', 'panchakarma', 'abhyanga', 'shirodhara', 'vaidya', 'ayur'],
  homeopathy: ['homeopathy', 'homoeopathy', 'homeopathic', 'homoeopathic', 'bhms'],
  unani: ['unani', 'hakim', 'bums'],
};

/** Registration prefixes of AYUSH councils ('AYUR/KL/2345/2019'): they make a visit an alternative-medicine one. */
export const AYUSH_REGISTRATION_PREFIXES: Record<string, string> = { AYUR: 'ayurveda', HOM: 'homeopathy', HOMEO: 'homeopathy', UNANI: 'unani' };

/** Keys of the exclusions in PLUM_OPD_2024, each with the words that reveal it and the code it rejects with. */
export const DEFAULT_EXCLUSION_KEYWORDS: Record<string, readonly string[]> = {
  'Cosmetic procedures': ['cosmetic', 'aesthetic', 'whitening', 'teeth whitening', 'bleaching', 'veneer', 'veneers',
    'botox', 'filler', 'fillers', 'hair transplant', 'liposuction', 'rhinoplasty', 'facelift', 'skin lightening'],
  'Weight loss treatments': ['weight loss', 'obesity', 'obese', 'bariatric', 'slimming', 'weight reduction',
    'weight management', 'diet plan'],
  'Infertility treatments': ['infertility', 'ivf', 'iui', 'in vitro fertilisation', 'in vitro fertilization',
    'fertility treatment', 'icsi'],
  'Experimental treatments': ['experimental', 'investigational', 'clinical trial', 'stem cell', 'unproven'],
  'Self-inflicted injuries': ['self inflicted', 'self harm', 'suicide attempt', 'attempted suicide'],
  'Adventure sports injuries': ['adventure sport', 'adventure sports', 'paragliding', 'bungee', 'skydiving',
    'rock climbing', 'mountaineering', 'scuba', 'rafting'],
  'War and nuclear risks': ['war', 'nuclear', 'radioactive contamination', 'terrorism'],
  'HIV/AIDS treatment': ['hiv', 'aids related', 'antiretroviral', 'acquired immunodeficiency syndrome'],
  'Alcoholism/drug abuse treatment': ['alcoholism', 'alcohol dependence', 'alcohol withdrawal', 'de addiction',
    'deaddiction', 'substance abuse', 'drug abuse', 'drug addiction'],
  'Non-allopathic treatments (except listed)': ['siddha', 'naturopathy', 'acupuncture', 'acupressure', 'reiki',
    'magnet therapy', 'chiropractic'],
  'Vitamins and supplements (unless prescribed for deficiency)': ['vitamin', 'vitamins', 'multivitamin',
    'supplement', 'supplements', 'protein powder', 'nutraceutical', 'tonic'],
};

/** Words in a diagnosis that lift the vitamins exclusion: the insurer pays supplements prescribed for a deficiency. */
export const DEFICIENCY_KEYWORDS = ['deficiency', 'deficient', 'anaemia', 'anemia', 'hypovitaminosis'];

export const DEFAULT_AILMENT_KEYWORDS: Record<string, readonly string[]> = {
  diabetes: ['diabetes', 'diabetic', 'diabetes mellitus', 't2dm', 't1dm', 'dm type 2', 'dm type 1'],
  hypertension: ['hypertension', 'hypertensive', 'high blood pressure', 'htn'],
  joint_replacement: ['joint replacement', 'knee replacement', 'hip replacement', 'arthroplasty'],
  maternity: ['pregnancy', 'pregnant', 'maternity', 'antenatal', 'prenatal', 'obstetric', 'delivery', 'gestation'],
};

/** Tests that need pre-authorisation, keyed as `covered_tests` names them ('MRI (with pre-auth)'). */
export const DEFAULT_PRE_AUTH_KEYWORDS: Record<string, readonly string[]> = {
  MRI: ['mri', 'magnetic resonance'],
  'CT Scan': ['ct', 'ct scan', 'cat scan', 'computed tomography'],
};

/** Dental work that counts against the routine check-up limit. */
export const DENTAL_ROUTINE_KEYWORDS = ['cleaning', 'scaling', 'oral prophylaxis', 'checkup', 'check up', 'routine'];
export const DENTAL_COSMETIC_KEYWORDS = ['whitening', 'bleaching', 'veneer', 'veneers', 'cosmetic', 'smile design'];
export const DENTAL_PROCEDURE_KEYWORDS: Record<string, readonly string[]> = {
  filling: ['filling', 'restoration'],
  extraction: ['extraction', 'tooth removal'],
  'root canal': ['root canal', 'rct', 'endodontic'],
  cleaning: ['cleaning', 'scaling', 'oral prophylaxis'],
};
export const VISION_KEYWORDS = {
  eye_test: ['eye test', 'eye examination', 'eye exam', 'refraction', 'vision test', 'eye checkup', 'eye check up'],
  glasses: ['spectacles', 'glasses', 'contact lens', 'contact lenses', 'lens', 'lenses', 'frames', 'frame'],
  lasik: ['lasik', 'refractive surgery', 'laser vision'],
};

/** Words that mark a medicine as branded when the bill does not say (generic drugs are mandatory). */
export const BRANDED_KEYWORDS = ['branded'];

/** Diagnoses that fit only one sex: a mismatch with the patient is a fraud signal. */
export const SEX_SPECIFIC_KEYWORDS: Record<'female' | 'male', readonly string[]> = {
  female: ['pregnancy', 'pregnant', 'maternity', 'antenatal', 'ovarian', 'ovary', 'uterine', 'uterus', 'cervical cancer',
    'menstrual', 'menopause', 'pcos', 'pcod'],
  male: ['prostate', 'prostatic', 'testicular', 'erectile'],
};

export const DENTAL_CONTEXT_KEYWORDS = ['tooth', 'teeth', 'dental', 'caries', 'gum', 'gingivitis', 'periodontal',
  'pulpitis', 'root canal', 'cavity', 'molar', 'oral'];
export const VISION_CONTEXT_KEYWORDS = ['eye', 'eyes', 'vision', 'myopia', 'hypermetropia', 'presbyopia',
  'astigmatism', 'refractive', 'cataract', 'conjunctivitis', 'spectacles', 'glasses'];

/** Lower case, accents and punctuation to spaces, single spaces, padded so whole-word search is a substring search. */
export function normalise(text: string): string {
  return ` ${text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, ' ').trim()} `;
}

// Keywords come from a few tables, so their normal forms are kept rather than recomputed on every match.
const normalisedKeywords = new Map<string, string>();
function normalisedKeyword(keyword: string): string {
  let needle = normalisedKeywords.get(keyword);
  if (needle === undefined) {
    needle = normalise(keyword);
    if (normalisedKeywords.size < 50_000) normalisedKeywords.set(keyword, needle);
  }
  return needle;
}

/** The first keyword that occurs in the text as whole words, or undefined. */
export function findKeyword(text: string, keywords: readonly string[]): string | undefined {
  const haystack = normalise(text);
  return keywords.find((keyword) => {
    const needle = normalisedKeyword(keyword);
    return needle.trim() !== '' && haystack.includes(needle);
  });
}

export function hasKeyword(text: string, keywords: readonly string[]): boolean {
  return findKeyword(text, keywords) !== undefined;
}
