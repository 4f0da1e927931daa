import { describe, expect, it } from 'vitest';

import { nameKey } from '../../src/roster/names.ts';

describe('nameKey', () => {
  const same: [string, string, string, string][] = [
    ['José', 'García', 'jose', 'garcia'],
    ['ZOË', 'Brontë', 'zoe', 'bronte'],
    ['Mary  Ann', 'Smith', 'mary ann', 'smith'],
    ['Mary-Ann', 'Smith', 'Mary Ann', 'Smith'],
    ['Liam', "O'Brien", 'liam', 'OBrien'],
    ['Liam', 'O\u2019Brien', 'Liam', "O'Brien"],
    ['Anne-Marie', 'Dupont\u2013Lefèvre', 'anne marie', 'dupont lefevre'],
    [' Noah ', ' Lee ', 'Noah', 'Lee'],
    ['Ç', 'Ø', 'c', 'ø'],
  ];
  it.each(same)('%s %s equals %s %s', (g1, f1, g2, f2) => {
    expect(nameKey(g1, f1)).toBe(nameKey(g2, f2));
  });

  const different: [string, string, string, string][] = [
    ['Ana', 'Lopez', 'Anna', 'Lopez'],
    ['Lee', 'Noah', 'Noah', 'Lee'],
    ['Mary', 'Ann Smith', 'Mary Ann', 'Smith'],
  ];
  it.each(different)('%s %s differs from %s %s', (g1, f1, g2, f2) => {
    expect(nameKey(g1, f1)).not.toBe(nameKey(g2, f2));
  });
});
