2apiVersion: aivet/v2
kind: nonsense
