// The reference facet detector (@atproto/api's RichText.detectFacets, without mention resolution), for
// tests/platforms/test_bluesky_facets_reference.py: reads a JSON list of texts on stdin, writes a JSON
// list of facet lists ({byteStart, byteEnd, type, value}) on stdout.
import { readFileSync } from 'node:fs'
import { RichText } from '@atproto/api'

const texts = JSON.parse(readFileSync(0, 'utf8'))
const out = texts.map((text) => {
  const rt = new RichText({ text })
  rt.detectFacetsWithoutResolution()
  return (rt.facets ?? []).map((facet) => {
    const feature = facet.features[0]
    const type = feature.$type.split('#')[1]
    const value = type === 'link' ? feature.uri : type === 'tag' ? feature.tag : feature.did
    return { byteStart: facet.index.byteStart, byteEnd: facet.index.byteEnd, type, value }
  })
})
process.stdout.write(JSON.stringify(out))
