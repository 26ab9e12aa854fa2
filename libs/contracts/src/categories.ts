export const CATEGORIES = ['fresh', 'chilled', 'ambient', 'handicraft'] as const;
export type Category = (typeof CATEGORIES)[number];
