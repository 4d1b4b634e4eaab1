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
  splitWhitespace,
  textOf,
} from './query.js';
export { type ParseXmlOptions, parseXml, parseXmlAsync, type XmlNode } from './safe-xml.js';
export { faultToError, readSoapFault } from './soap-fault.js';
