/**
 * The CNIL's truncation of an address for audience measurement: an IPv4
 * address keeps its first two bytes (a.b.0.0), an IPv6 address its first 48
 * bits (x:y:z::). The hit route truncates first and uses nothing else: the
 * full address is never kept, counted or logged for the audience.
 */
export function truncateIp(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/i.exec(ip);
  if (v4) return `${Number(v4[1])}.${Number(v4[2])}.0.0`;
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  const first = groups.slice(0, 3).map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? g.replace(/^0+(?=.)/, '') : '0'));
  while (first.length < 3) first.push('0');
  return `${first.join(':')}::`;
}
