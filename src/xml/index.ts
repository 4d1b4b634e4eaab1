export { escapeXml } from './escape-xml.js';
export {
  attr,
  chainTo,
  child,
  childrenNamed,
  findAll,
  findFirst,
  path,
  resolvePrefix,
  soapBody,
  splitWhitespace,
  textOf,
} from './query.js';
export {
  DEFAULT_MAX_XML_BYTES,
  DEFAULT_MAX_XML_ELEMENTS,
  hasDoctype,
  PARSE_SLICE_CHARS,
  type ParseXmlOptions,
  parseXml,
  parseXmlAsync,
  type XmlNode,
} from './safe-xml.js';
export { faultToError, readSoapFault, type SoapFaultInfo } from './soap-fault.js';
