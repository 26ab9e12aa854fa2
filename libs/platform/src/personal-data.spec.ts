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
    expect(maskPhonesIn('call 13812345678, +86 139 1234 5678 or 86-137-1234-5678')).toBe(
      'call 138****5678, 139****5678 or 137****5678',
    );
    // not a phone: too long, or an order's amount
    expect(maskPhonesIn('order 238123456789 of 13812345678901 fen')).toBe('order 238123456789 of 13812345678901 fen');
  });

  it('keeps province and city of an address, and the marker of an erased one', () => {
    expect(
      maskAddress({
        recipientName: 'Li Na',
        phone: '13800001234',
        province: '陕西省',
        city: '延安市',
        district: '宝塔区',
        street: '枣园路 12 号',
      } as never),
    ).toEqual({
      recipientName: 'L**',
      phone: '138****1234',
      province: '陕西省',
      city: '延安市',
      district: '***',
      street: '***',
    });
    expect(maskAddress({ erased: true, erasedAt: '2027-06-01T00:00:00.000Z' })).toEqual({
      erased: true,
      erasedAt: '2027-06-01T00:00:00.000Z',
    });
  });

  it('masks personal fields at any depth of a log line, and errors by their message and fields', () => {
    const err = Object.assign(new Error('insert failed: 13812345678'), {
      detail: 'Failing row contains (13912345678)',
    });
    const masked = maskForLog({
      err,
      event: {
        data: {
          shippingAddress: {
            recipientName: 'Wang Fang',
            phone: '13700001111',
            province: 'P',
            city: 'C',
            district: 'D',
            street: 'S',
          },
        },
      },
      orderId: 'o-1',
      count: 3,
    }) as Record<string, any>;
    expect(masked.err).toMatchObject({
      name: 'Error',
      message: 'insert failed: 138****5678',
      detail: 'Failing row contains (139****5678)',
    });
    expect(masked.event.data.shippingAddress).toMatchObject({
      recipientName: 'W**',
      phone: '137****1111',
      street: '***',
    });
    expect(masked).toMatchObject({ orderId: 'o-1', count: 3 });
    expect(JSON.stringify(masked)).not.toMatch(/1[3-9]\d{9}/);
  });
});

describe('masking at its edges', () => {
  it('reads 86 and +86 before a number, and leaves too short a number as stars', () => {
    expect(maskPhone('8613812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
    expect(maskPhone('1381234')).toBe('138****1234');
    expect(maskPhone('138123')).toBe('****');
  });

  it('masks an empty name to two stars, and an address without a name or phone to stars', () => {
    expect(maskName('')).toBe('**');
    expect(maskAddress(null)).toBeNull();
    expect(maskAddress({ province: 'P', city: 'C' })).toEqual({
      recipientName: '**',
      phone: '****',
      province: 'P',
      city: 'C',
      district: '***',
      street: '***',
    });
  });

  it('masks each personal field by its kind, wherever it is, and leaves the rest alone', () => {
    const masked = maskForLog({
      recipientName: 'Zhao Min',
      phone: '13900001111',
      street: '枣园路 12 号',
      district: '宝塔区',
      postcode: '716000',
      accountNumber: '6222021234567890',
      address: 7,
      deliverTo: { erased: true, erasedAt: '2027-01-01T00:00:00.000Z' },
      shippingAddress: null,
      shipTo: undefined,
      orderId: 'o-1',
      at: new Date(0),
      raw: Buffer.from('13812345678'),
      list: [{ phone: '13700002222' }, 'call 13600003333'],
    }) as Record<string, unknown>;
    expect(masked).toEqual({
      recipientName: 'Z**',
      phone: '139****1111',
      street: '***',
      district: '***',
      postcode: '***',
      accountNumber: '****7890',
      address: '***',
      deliverTo: { erased: true, erasedAt: '2027-01-01T00:00:00.000Z' },
      shippingAddress: null,
      shipTo: undefined,
      orderId: 'o-1',
      at: new Date(0),
      raw: Buffer.from('13812345678'),
      list: [{ phone: '137****2222' }, 'call 136****3333'],
    });
  });

  it('stops at a depth, so a deep or circular object is not walked for ever', () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 12; i++) at = (at.next = {}) as Record<string, unknown>;
    at.phone = '13812345678';
    expect(JSON.stringify(maskForLog(deep))).toContain('13812345678'); // past the depth it is left as it is
    const near = { a: { b: { phone: '13812345678' } } };
    expect(JSON.stringify(maskForLog(near))).not.toContain('13812345678');
    const arrays = { a: [[[[[[[[[['13812345678']]]]]]]]]] };
    expect(JSON.stringify(maskForLog(arrays))).toContain('13812345678');
    expect(JSON.stringify(maskForLog({ a: [['13812345678']] }))).not.toContain('13812345678');
  });
});
