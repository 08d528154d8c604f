// What one context (page, iframe or worker) says about who the browser is.
async function probe() {
  const n = self.navigator;
  const he = await n.userAgentData.getHighEntropyValues(['formFactors', 'fullVersionList', 'architecture', 'bitness', 'platformVersion']);
  const o = Intl.DateTimeFormat().resolvedOptions();
  return {ua: n.userAgent, language: n.language, languages: n.languages, timezone: o.timeZone, locale: o.locale,
          offset: new Date(2026, 0, 15).getTimezoneOffset(), brands: n.userAgentData.brands.map(b => b.brand + '/' + b.version),
          formFactors: he.formFactors, fullVersionList: he.fullVersionList.map(b => b.brand + '/' + b.version),
          architecture: he.architecture, bitness: he.bitness};
}
