// Addresses of the demo county's buyers (made up: the numbers are in the 138-0000 block), for the
// demo, the benchmarks and the tests. Nothing here is anybody's real address.
import type { ShippingAddress } from './shipping-address';

const NAMES = ['张桂兰', '李秀英', '王淑珍', 'Liu Fang', '陈玉梅', 'Zhao Min', '杨丽', '黄春花'];
const STREETS = [
  '枣园路 12 号',
  '宝塔山南街 3 号',
  '凤凰巷 7 号 2 单元',
  'No. 5 Yan River Road',
  '二道街 88 号',
  '桥儿沟 16 号',
];

/** The `n`th demo buyer's address; its phone is 1380000 followed by `n` in four digits. */
export function demoAddress(n = 0): ShippingAddress {
  const i = Math.abs(Math.trunc(n)) % 10_000;
  return {
    recipientName: NAMES[i % NAMES.length],
    phone: `1380000${String(i).padStart(4, '0')}`,
    province: '陕西省',
    city: '延安市',
    district: i % 2 ? '安塞区' : '宝塔区',
    street: STREETS[i % STREETS.length],
    postcode: '716000',
  };
}
