import { maskAddress, maskForLog, maskName, maskPhone, maskPhonesIn } from './personal-data';

describe('personal data as logs and the console show it', () => {
  it('masks a phone number to its first three and last four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('138****5678');
    expect(maskPhone('12')).toBe('****');
  });

  it('masks a name to its first character', () => {
    expect(maskName('Zhang San')).toBe('Z**');
    expect(maskName('张桂兰')).toBe('张**');
  });

  it('finds phone numbers inside any text, however they are written', () => {
    expect(maskPhonesIn('call 13812345678, +86 139 1234 5678 or 86-137-1234-5678')).toBe('call 138****5678, 139****5678 or 137****5678');
    // not a phone: too long, or an order's amount
    expect(maskPhonesIn('order 238123456789 of 13812345678901 fen')).toBe('order 238123456789 of 13812345678901 fen');
  });

  it('keeps province and city of an address, and the marker of an erased one', () => {
    expect(maskAddress({ recipientName: 'Li Na', phone: '13800001234', province: '陕西省', city: '延安市', district: '宝塔区', street: '枣园路 12 号' } as never)).toEqual({
      recipientName: 'L**',
      phone: '138****1234',
      province: '陕西省',
      city: '延安市',
      district: '***',
      street: '***',
    });
    expect(maskAddress({ erased: true, erasedAt: '2027-06-01T00:00:00.000Z' })).toEqual({ erased: true, erasedAt: '2027-06-01T00:00:00.000Z' });
  });

  it('masks personal fields at any depth of a log line, and errors by their message and fields', () => {
    const err = Object.assign(new Error('insert failed: 13812345678'), { detail: 'Failing row contains (13912345678)' });
    const masked = maskForLog({ err, event: { data: { shippingAddress: { recipientName: 'Wang Fang', phone: '13700001111', province: 'P', city: 'C', district: 'D', street: 'S' } } }, orderId: 'o-1', count: 3 }) as Record<string, any>;
    expect(masked.err).toMatchObject({ name: 'Error', message: 'insert failed: 138****5678', detail: 'Failing row contains (139****5678)' });
    expect(masked.event.data.shippingAddress).toMatchObject({ recipientName: 'W**', phone: '137****1111', street: '***' });
    expect(masked).toMatchObject({ orderId: 'o-1', count: 3 });
    expect(JSON.stringify(masked)).not.toMatch(/1[3-9]\d{9}/);
  });
});
