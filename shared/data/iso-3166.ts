/**
 * ISO 3166-1 alpha-3 codes and English short names, mapped to alpha-2, for the 242 ISO regions
 * that have phone numbers in libphonenumber-js metadata (AC, TA and XK have no alpha-3 code).
 *
 * Generated from Debian's iso-codes 4.15.0-1 (/usr/share/iso-codes/json/iso_3166-1.json,
 * https://salsa.debian.org/iso-codes-team/iso-codes): fields alpha_3, alpha_2, name and
 * common_name; names lower-cased, accents and punctuation removed. Regenerate from that file
 * rather than editing by hand.
 */

/**
 * One record per region, records separated by |: the alpha-3 code, the alpha-2 code, then the
 * region's normalised English names separated by commas ("ABWAWaruba" is Aruba). One table for
 * both lookups: each Action carries it, and Auth0 counts an Action's code against 100 kB.
 */
export const COUNTRIES =
  'ABWAWaruba|AFGAFafghanistan|AGOAOangola|AIAAIanguilla|ALAAXaland islands|ALBALalbania|' +
  'ANDADandorra|AREAEunited arab emirates|ARGARargentina|ARMAMarmenia|ASMASamerican samoa|' +
  'ATGAGantigua and barbuda|AUSAUaustralia|AUTATaustria|AZEAZazerbaijan|BDIBIburundi|BELBEbelgium|' +
  'BENBJbenin|BESBQbonaire sint eustatius and saba|BFABFburkina faso|BGDBDbangladesh|BGRBGbulgaria|' +
  'BHRBHbahrain|BHSBSbahamas|BIHBAbosnia and herzegovina|BLMBLsaint barthelemy|BLRBYbelarus|' +
  'BLZBZbelize|BMUBMbermuda|BOLBObolivia plurinational state of,bolivia|BRABRbrazil|BRBBBbarbados|' +
  'BRNBNbrunei darussalam|BTNBTbhutan|BWABWbotswana|CAFCFcentral african republic|CANCAcanada|' +
  'CCKCCcocos keeling islands|CHECHswitzerland|CHLCLchile|CHNCNchina|CIVCIcote d ivoire|' +
  'CMRCMcameroon|CODCDcongo the democratic republic of the|COGCGcongo|COKCKcook islands|' +
  'COLCOcolombia|COMKMcomoros|CPVCVcabo verde|CRICRcosta rica|CUBCUcuba|CUWCWcuracao|' +
  'CXRCXchristmas island|CYMKYcayman islands|CYPCYcyprus|CZECZczechia|DEUDEgermany|DJIDJdjibouti|' +
  'DMADMdominica|DNKDKdenmark|DOMDOdominican republic|DZADZalgeria|ECUECecuador|EGYEGegypt|' +
  'ERIEReritrea|ESHEHwestern sahara|ESPESspain|ESTEEestonia|ETHETethiopia|FINFIfinland|FJIFJfiji|' +
  'FLKFKfalkland islands malvinas|FRAFRfrance|FROFOfaroe islands|' +
  'FSMFMmicronesia federated states of|GABGAgabon|GBRGBunited kingdom|GEOGEgeorgia|GGYGGguernsey|' +
  'GHAGHghana|GIBGIgibraltar|GINGNguinea|GLPGPguadeloupe|GMBGMgambia|GNBGWguinea bissau|' +
  'GNQGQequatorial guinea|GRCGRgreece|GRDGDgrenada|GRLGLgreenland|GTMGTguatemala|' +
  'GUFGFfrench guiana|GUMGUguam|GUYGYguyana|HKGHKhong kong|HNDHNhonduras|HRVHRcroatia|HTIHThaiti|' +
  'HUNHUhungary|IDNIDindonesia|IMNIMisle of man|INDINindia|IOTIObritish indian ocean territory|' +
  'IRLIEireland|IRNIRiran islamic republic of,iran|IRQIQiraq|ISLISiceland|ISRILisrael|ITAITitaly|' +
  'JAMJMjamaica|JEYJEjersey|JORJOjordan|JPNJPjapan|KAZKZkazakhstan|KENKEkenya|KGZKGkyrgyzstan|' +
  'KHMKHcambodia|KIRKIkiribati|KNAKNsaint kitts and nevis|KORKRkorea republic of,south korea|' +
  'KWTKWkuwait|LAOLAlao people s democratic republic,laos|LBNLBlebanon|LBRLRliberia|LBYLYlibya|' +
  'LCALCsaint lucia|LIELIliechtenstein|LKALKsri lanka|LSOLSlesotho|LTULTlithuania|LUXLUluxembourg|' +
  'LVALVlatvia|MACMOmacao|MAFMFsaint martin french part|MARMAmorocco|MCOMCmonaco|' +
  'MDAMDmoldova republic of,moldova|MDGMGmadagascar|MDVMVmaldives|MEXMXmexico|' +
  'MHLMHmarshall islands|MKDMKnorth macedonia|MLIMLmali|MLTMTmalta|MMRMMmyanmar|MNEMEmontenegro|' +
  'MNGMNmongolia|MNPMPnorthern mariana islands|MOZMZmozambique|MRTMRmauritania|MSRMSmontserrat|' +
  'MTQMQmartinique|MUSMUmauritius|MWIMWmalawi|MYSMYmalaysia|MYTYTmayotte|NAMNAnamibia|' +
  'NCLNCnew caledonia|NERNEniger|NFKNFnorfolk island|NGANGnigeria|NICNInicaragua|NIUNUniue|' +
  'NLDNLnetherlands|NORNOnorway|NPLNPnepal|NRUNRnauru|NZLNZnew zealand|OMNOMoman|PAKPKpakistan|' +
  'PANPApanama|PERPEperu|PHLPHphilippines|PLWPWpalau|PNGPGpapua new guinea|POLPLpoland|' +
  'PRIPRpuerto rico|PRKKPkorea democratic people s republic of,north korea|PRTPTportugal|' +
  'PRYPYparaguay|PSEPSpalestine state of|PYFPFfrench polynesia|QATQAqatar|REUREreunion|' +
  'ROUROromania|RUSRUrussian federation|RWARWrwanda|SAUSAsaudi arabia|SDNSDsudan|SENSNsenegal|' +
  'SGPSGsingapore|SHNSHsaint helena ascension and tristan da cunha|SJMSJsvalbard and jan mayen|' +
  'SLBSBsolomon islands|SLESLsierra leone|SLVSVel salvador|SMRSMsan marino|SOMSOsomalia|' +
  'SPMPMsaint pierre and miquelon|SRBRSserbia|SSDSSsouth sudan|STPSTsao tome and principe|' +
  'SURSRsuriname|SVKSKslovakia|SVNSIslovenia|SWESEsweden|SWZSZeswatini|' +
  'SXMSXsint maarten dutch part|SYCSCseychelles|SYRSYsyria,syrian arab republic|' +
  'TCATCturks and caicos islands|TCDTDchad|TGOTGtogo|THATHthailand|TJKTJtajikistan|TKLTKtokelau|' +
  'TKMTMturkmenistan|TLSTLtimor leste|TONTOtonga|TTOTTtrinidad and tobago|TUNTNtunisia|' +
  'TURTRturkiye|TUVTVtuvalu|TWNTWtaiwan province of china,taiwan|' +
  'TZATZtanzania united republic of,tanzania|UGAUGuganda|UKRUAukraine|URYUYuruguay|' +
  'USAUSunited states|UZBUZuzbekistan|VATVAholy see vatican city state|' +
  'VCTVCsaint vincent and the grenadines|VENVEvenezuela bolivarian republic of,venezuela|' +
  'VGBVGvirgin islands british|VIRVIvirgin islands u s|VNMVNviet nam,vietnam|VUTVUvanuatu|' +
  'WLFWFwallis and futuna|WSMWSsamoa|YEMYEyemen|ZAFZAsouth africa|ZMBZMzambia|ZWEZWzimbabwe';
